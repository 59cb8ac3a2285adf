package org.directmilter.crypto.smime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1OctetStringParser;
import org.bouncycastle.asn1.ASN1SequenceParser;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1StreamParser;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.cms.ContentInfoParser;
import org.bouncycastle.asn1.cms.EncryptedContentInfoParser;
import org.bouncycastle.asn1.cms.EnvelopedDataParser;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientIdentifier;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSAuthEnvelopedDataParser;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.KeyTransRecipientId;
import org.bouncycastle.cms.RecipientId;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientId;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.spool.Spool;
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
            List<RecipientInformation> infos = List.copyOf(parse(parser::getRecipientInfos).getRecipients());
            Match<RecipientInformation> match = findRecipient(infos, RecipientInformation::getRID, infos.size(), keys);
            GcmRecipient recipient = new GcmRecipient(match.key(), rejection);
            return decrypted(() -> match.info().getContentStream(recipient).getContentStream(), cms, cipher,
                    match.info().getKeyEncryptionAlgOID(), spools);
        }
        Envelope envelope = parse(() -> Envelope.read(cms));
        String cipher = acceptCipher(envelope.contentEncryption().getAlgorithm().getId());
        Match<Addressed> match = findRecipient(envelope.transports(), Addressed::id, envelope.recipientCount(), keys);
        CbcRecipient recipient = new CbcRecipient(match.key(), cms.expectedSize(), rejection);
        KeyTransRecipientInfo transport = match.info().info();
        return decrypted(() -> recipient.getRecipientOperator(transport.getKeyEncryptionAlgorithm(),
                        envelope.contentEncryption(), transport.getEncryptedKey().getOctets())
                .getInputStream(envelope.ciphertext()), cms, cipher,
                transport.getKeyEncryptionAlgorithm().getAlgorithm().getId(), spools);
    }

    /**
     * An EnvelopedData read as far as its ciphertext, which is left to stream: how many RecipientInfos it
     * has, and those for key transport with their identifiers, formed as Bouncy Castle forms them.
     *
     * <p>Why not {@code CMSEnvelopedDataParser}: its {@code RecipientInformation.getContentStream} makes a
     * 32 KB buffer around the decrypting stream for every message, where only the decrypting stream under
     * it is ever read.
     */
    private record Envelope(int recipientCount, List<Addressed> transports, AlgorithmIdentifier contentEncryption,
                            InputStream ciphertext) {

        /** Everything it parses is parsed here, so that damage anywhere in it is {@link Corrupt}. */
        static Envelope read(CmsInput cms) throws IOException {
            ContentInfoParser info = new ContentInfoParser((ASN1SequenceParser) new ASN1StreamParser(cms.asn1())
                    .readObject());
            EnvelopedDataParser enveloped = new EnvelopedDataParser((ASN1SequenceParser) info.getContent(
                    BERTags.SEQUENCE));
            ASN1Set recipients = ASN1Set.getInstance(enveloped.getRecipientInfos().toASN1Primitive());
            List<Addressed> transports = new ArrayList<>(recipients.size());
            for (ASN1Encodable recipient : recipients) {
                if (RecipientInfo.getInstance(recipient).getInfo() instanceof KeyTransRecipientInfo transport) {
                    transports.add(new Addressed(transport, idOf(transport.getRecipientIdentifier())));
                }
            }
            EncryptedContentInfoParser content = enveloped.getEncryptedContentInfo();
            AlgorithmIdentifier algorithm = content.getContentEncryptionAlgorithm();
            ASN1OctetStringParser ciphertext = (ASN1OctetStringParser) content.getEncryptedContent(BERTags.OCTET_STRING);
            return new Envelope(recipients.size(), transports, algorithm, ciphertext.getOctetStream());
        }

        private static RecipientId idOf(RecipientIdentifier id) {
            if (id.isTagged()) {
                return new KeyTransRecipientId(ASN1OctetString.getInstance(id.getId()).getOctets());
            }
            IssuerAndSerialNumber issuerAndSerial = IssuerAndSerialNumber.getInstance(id.getId());
            return new KeyTransRecipientId(issuerAndSerial.getName(), issuerAndSerial.getSerialNumber().getValue());
        }
    }

    /** A key transport RecipientInfo and the identifier it names its recipient by. */
    private record Addressed(KeyTransRecipientInfo info, RecipientId id) {
    }

    private String acceptCipher(String oid) throws Rejection {
        return policy.contentCipher(oid).orElseThrow(() -> new Rejection(new WeakAlgorithm(
                "content encryption " + AlgorithmPolicy.cipherName(oid) + " is not accepted")));
    }

    /**
     * The RecipientInfo of one of {@code keys}, by its identifier alone: nothing is decrypted to find it.
     * Each key is looked for as Bouncy Castle's {@code RecipientInformationStore} looks: by issuer and
     * serial number, then by subject key identifier.
     */
    private static <T> Match<T> findRecipient(List<T> infos, Function<T, RecipientId> idOf, int recipientCount,
                                              List<PrivateKeyEntry> keys) throws Rejection {
        for (PrivateKeyEntry key : keys) {
            KeyTransRecipientId ours;
            try {
                ours = new JceKeyTransRecipientId(key.certificate());
            } catch (IllegalArgumentException e) {
                continue; // a certificate that cannot form a recipient id cannot match either
            }
            List<RecipientId> names = ours.getIssuer() != null && ours.getSubjectKeyIdentifier() != null
                    ? List.of(new KeyTransRecipientId(ours.getIssuer(), ours.getSerialNumber()),
                            new KeyTransRecipientId(ours.getSubjectKeyIdentifier()))
                    : List.of(ours);
            for (RecipientId name : names) {
                for (T info : infos) {
                    if (name.equals(idOf.apply(info))) {
                        return new Match<>(info, key);
                    }
                }
            }
        }
        throw new Rejection(new NoKey("encrypted to " + recipientCount + " recipient(s), none of them one of our "
                + keys.size() + " key(s)"));
    }

    private interface Plaintext {
        InputStream open() throws CMSException, IOException;
    }

    private Decrypted decrypted(Plaintext plaintext, CmsInput ciphertext, String cipher, String transport,
                                SpoolSet spools) throws Rejection, IOException {
        Spool spool = spools.newSpoolFor(ciphertext.expectedSize());
        try (InputStream in = plaintext.open(); OutputStream out = spool.output()) {
            in.transferTo(out);
        } catch (CMSException | IOException | RuntimeException e) {
            throw Rejection.of(e, damagedBase64(e) ? new Corrupt(BAD_BASE64) : new UnprotectResult.NotVerified(
                    Category.DECRYPT));
        }
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

    private record Match<T>(T info, PrivateKeyEntry key) {
    }
}
