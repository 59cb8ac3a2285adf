package org.directmilter.crypto.smime;

import org.directmilter.crypto.spool.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.cms.CMSAuthEnvelopedDataParser;
import org.bouncycastle.cms.CMSEnvelopedDataParser;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSTypedStream;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.RecipientInformationStore;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientId;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.UnprotectResult.Category;
import org.directmilter.crypto.smime.UnprotectResult.Corrupt;
import org.directmilter.crypto.smime.UnprotectResult.NoKey;
import org.directmilter.crypto.smime.UnprotectResult.WeakAlgorithm;

/**
 * Decrypts CMS EnvelopedData (AES-CBC, 3DES when allowed) or AuthEnvelopedData (AES-GCM) with whichever
 * of the offered keys a RecipientInfo names, into a spool.
 *
 * <p>What it decides before decrypting, from the structure alone, it names: a damaged structure
 * ({@link Corrupt}), a refused cipher ({@link WeakAlgorithm}), no RecipientInfo for any of our keys
 * ({@link NoKey}). From the unwrapping of the content key on, every failure is the one constant
 * {@link UnprotectResult.NotVerified} ({@link Category#DECRYPT}): a key that does not unwrap is not even a
 * failure here but a synthetic key ({@link ImplicitRejection}), so it fails exactly as damaged content does.
 */
final class Decryptor {

    static final String UNREADABLE_CMS = "the CMS structure is damaged";
    static final String BAD_BASE64 = "the body is not valid base64";

    /** The decrypted entity and the algorithms that protected it. */
    record Decrypted(Spool entity, String contentEncryption, String keyTransport) {
    }

    private final AlgorithmPolicy policy;
    private final ImplicitRejection rejection;

    Decryptor(AlgorithmPolicy policy, SecureRandom random) {
        this.policy = policy;
        this.rejection = new ImplicitRejection(random);
    }

    Decrypted decrypt(CmsInput cms, boolean authenticated, List<PrivateKeyEntry> keys, SpoolSet spools)
            throws Rejection, IOException {
        if (authenticated) {
            CMSAuthEnvelopedDataParser parser = parse(() -> new CMSAuthEnvelopedDataParser(cms.asn1()));
            String cipher = acceptCipher(parse(parser::getEncAlgOID));
            Match match = findRecipient(parse(parser::getRecipientInfos), keys);
            GcmRecipient recipient = new GcmRecipient(match.key(), rejection);
            return decrypted(() -> match.info().getContentStream(recipient).getContentStream(), cms, cipher, match,
                    spools);
        }
        CMSEnvelopedDataParser parser = parse(() -> new CMSEnvelopedDataParser(cms.asn1()));
        String cipher = acceptCipher(parse(parser::getEncryptionAlgOID));
        Match match = findRecipient(parse(parser::getRecipientInfos), keys);
        CbcRecipient recipient = new CbcRecipient(match.key(), cms.expectedSize(), rejection);
        return decrypted(() -> {
            CMSTypedStream content = match.info().getContentStream(recipient);
            // read our decrypting stream itself, not Bouncy Castle's buffered wrapper: one copy fewer
            return recipient.decrypting().orElseGet(content::getContentStream);
        }, cms, cipher, match, spools);
    }

    private String acceptCipher(String oid) throws Rejection {
        return policy.contentCipher(oid).orElseThrow(() -> new Rejection(new WeakAlgorithm(
                "content encryption " + AlgorithmPolicy.cipherName(oid) + " is not accepted")));
    }

    /** The RecipientInfo of one of {@code keys}, by its identifier alone: nothing is decrypted to find it. */
    private Match findRecipient(RecipientInformationStore store, List<PrivateKeyEntry> keys) throws Rejection {
        for (PrivateKeyEntry key : keys) {
            try {
                RecipientInformation info = store.get(new JceKeyTransRecipientId(key.certificate()));
                if (info != null) {
                    return new Match(info, key);
                }
            } catch (IllegalArgumentException e) {
                // a certificate that cannot form a recipient id cannot match either
            }
        }
        throw new Rejection(new NoKey("encrypted to " + store.size() + " recipient(s), none of them one of our "
                + keys.size() + " key(s)"));
    }

    private interface Plaintext {
        InputStream open() throws CMSException, IOException;
    }

    private Decrypted decrypted(Plaintext plaintext, CmsInput ciphertext, String cipher, Match match, SpoolSet spools)
            throws Rejection, IOException {
        Spool spool = spools.newSpoolFor(ciphertext.expectedSize());
        try (InputStream in = plaintext.open(); OutputStream out = spool.output()) {
            in.transferTo(out);
        } catch (CMSException | IOException | RuntimeException e) {
            throw Rejection.of(e, damagedBase64(e) ? new Corrupt(BAD_BASE64) : new UnprotectResult.NotVerified(
                    Category.DECRYPT));
        }
        String transport = match.info().getKeyEncryptionAlgOID();
        return new Decrypted(spool, cipher, AlgorithmPolicy.KEY_TRANSPORTS.getOrDefault(transport, transport));
    }

    /**
     * Whether the outer base64 failed while the ciphertext was read: the transfer encoding, which says
     * nothing of the plaintext. It is {@link Corrupt} whether the CMS was decoded first or as it is read.
     */
    private static boolean damagedBase64(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Base64InputStream.Damaged) {
                return true;
            }
        }
        return false;
    }

    private interface Parse<T> {
        T call() throws CMSException, IOException;
    }

    /** A step that reads the structure before anything is decrypted: its damage is {@link Corrupt}. */
    private static <T> T parse(Parse<T> call) throws Rejection, IOException {
        try {
            return call.call();
        } catch (CMSException | IOException | RuntimeException e) {
            // Bouncy Castle's parsers signal some damage with runtime exceptions (casts, indexes)
            throw Rejection.of(e, new Corrupt(damagedBase64(e) ? BAD_BASE64 : UNREADABLE_CMS));
        }
    }

    private record Match(RecipientInformation info, PrivateKeyEntry key) {
    }
}
