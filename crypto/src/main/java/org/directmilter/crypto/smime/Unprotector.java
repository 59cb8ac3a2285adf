package org.directmilter.crypto.smime;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1SequenceParser;
import org.bouncycastle.asn1.ASN1StreamParser;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfoParser;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.UnprotectResult.Category;
import org.directmilter.crypto.smime.UnprotectResult.Corrupt;
import org.directmilter.crypto.smime.UnprotectResult.MalformedMime;
import org.directmilter.crypto.smime.UnprotectResult.NotSmime;
import org.directmilter.crypto.smime.UnprotectResult.Verified;
import org.directmilter.crypto.spool.Spool;

/**
 * Incoming processing: read the outer message, let the {@link Decryptor} decrypt it (EnvelopedData or
 * AuthEnvelopedData) with whichever of the offered keys a RecipientInfo names, let the
 * {@link SignatureVerifier} verify every signature over the bytes exactly as received, and return the
 * inner message unwrapped from {@code message/rfc822}.
 *
 * <p>The outcome is always an {@link UnprotectResult}; only a failure of our own (reading the caller's
 * stream, local temporary storage) is an {@link IOException}. Everything after the content key is
 * unwrapped fails as one constant {@link UnprotectResult.NotVerified}: see there why. Intermediate data —
 * the CMS bytes, the decrypted entity — lives in {@link Spool}s, so memory stays flat for large messages;
 * every spool is deleted before returning, except the one the verified message is read from.
 *
 * <p>As in {@link Protector}, ciphers, digests and signatures come from the JDK's providers.
 */
public final class Unprotector {

    /** A ContentInfo's SEQUENCE header and content-type OID take a few dozen bytes. */
    private static final int CONTENT_TYPE_LOOKAHEAD = 256;

    private final UnprotectOptions options;
    private final Decryptor decryptor;
    private final SignatureVerifier verifier;

    public Unprotector(UnprotectOptions options) {
        this.options = options;
        AlgorithmPolicy policy = new AlgorithmPolicy(options.allowTripleDes());
        this.decryptor = new Decryptor(policy, new SecureRandom());
        this.verifier = new SignatureVerifier(policy);
    }

    /**
     * Opens {@code message} with one of {@code keys}. Never throws for anything the message contains.
     *
     * @throws IOException when reading {@code message} or writing temporary storage fails
     */
    public UnprotectResult unprotect(InputStream message, List<PrivateKeyEntry> keys) throws IOException {
        return unprotect(message, -1, keys);
    }

    /**
     * Like {@link #unprotect(InputStream, List)}, for a message of exactly {@code length} bytes (a file, a
     * spooled body; -1 when unknown). Knowing it bounds what the CMS structure can claim, so the structure
     * is parsed as the base64 is decoded instead of from a decoded copy: for a body above SpoolThreshold
     * that is one temporary file fewer.
     */
    public UnprotectResult unprotect(InputStream message, long length, List<PrivateKeyEntry> keys)
            throws IOException {
        try (SpoolSet spools = new SpoolSet(options)) {
            return open(new CallerInputStream(message), length, keys, spools);
        } catch (Rejection rejection) {
            return rejection.failure();
        } catch (IOException e) {
            Rejection.rethrowOwn(e); // the caller's own exception, not our marker around it
            throw e;
        } catch (RuntimeException e) {
            // Our storage or the caller's stream, else damage that a parser signals with a runtime exception
            // (casts, indexes) before decryption: each step after it turns its own into NotVerified.
            Rejection.rethrowOwn(e);
            return new Corrupt(Decryptor.UNREADABLE_CMS);
        }
    }

    private UnprotectResult open(InputStream source, long length, List<PrivateKeyEntry> keys, SpoolSet spools)
            throws Rejection, IOException {
        // only the header block is read through this buffer: the base64 decoder reads larger blocks past it
        BufferedInputStream in = new BufferedInputStream(source, Buffers.SMALLEST);
        MimeHeaders outer;
        try {
            outer = MimeHeaders.read(in);
        } catch (MimeHeaders.MalformedException e) {
            return new MalformedMime("the header block is malformed: " + e.getMessage());
        }
        ContentType type = outer.contentType();
        if (type.is("multipart/signed")) {
            return new NotSmime("signed but not encrypted");
        }
        if (!type.is("application/pkcs7-mime", "application/x-pkcs7-mime")) {
            return new NotSmime("not an encrypted S/MIME message (Content-Type " + type.mimeType() + ")");
        }
        String smimeType = type.parameter("smime-type").orElse("").toLowerCase(Locale.ROOT);
        if (smimeType.equals("signed-data") || smimeType.equals("certs-only")) {
            return new NotSmime("signed but not encrypted (smime-type " + smimeType + ")");
        }
        CmsInput cms = length >= 0 ? decodedAsRead(in, outer, length - outer.length()) : decoded(in, outer, spools);
        ASN1ObjectIdentifier cmsType = contentInfoType(cms);
        boolean authenticated = cmsType.equals(CMSObjectIdentifiers.authEnvelopedData);
        if (cmsType.equals(CMSObjectIdentifiers.signedData)) {
            return new NotSmime("signed but not encrypted (CMS signed-data)");
        }
        if (!authenticated && !cmsType.equals(CMSObjectIdentifiers.envelopedData)) {
            return new NotSmime("CMS content of type " + cmsType.getId() + " is not encrypted data");
        }
        Decryptor.Decrypted decrypted = decryptor.decrypt(cms, authenticated, keys, spools);
        try {
            SignatureVerifier.Signed signed = verifier.verify(decrypted.entity(), spools);
            return unwrap(signed, decrypted, spools);
        } catch (RuntimeException e) {
            throw Rejection.of(e, new UnprotectResult.NotVerified(Category.INNER_MIME));
        }
    }

    /** The CMS bytes decoded as the parser reads them; the body's length bounds the structure. */
    private static CmsInput decodedAsRead(InputStream body, MimeHeaders headers, long bodyLength) throws Rejection {
        InputStream decoded = headers.bodyDecoder(body).orElseThrow(Unprotector::unsupportedEncoding);
        return CmsInput.decodedAsRead(decoded, bodyLength);
    }

    /** The CMS bytes decoded into a spool first; its size bounds the structure. */
    private static CmsInput decoded(InputStream body, MimeHeaders headers, SpoolSet spools)
            throws Rejection, IOException {
        Spool spool;
        try {
            spool = spools.decode(body, headers).orElseThrow(Unprotector::unsupportedEncoding);
        } catch (IOException e) {
            throw Rejection.of(e, new Corrupt(Decryptor.BAD_BASE64));
        }
        if (spool.size() == 0) {
            throw new Rejection(new Corrupt("empty body"));
        }
        return CmsInput.of(spool, spools);
    }

    private static Rejection unsupportedEncoding() {
        return new Rejection(new Corrupt("the body's Content-Transfer-Encoding is not base64 or binary"));
    }

    /** The ContentInfo's type, read ahead: the parser that follows reads the structure from its start. */
    private static ASN1ObjectIdentifier contentInfoType(CmsInput cms) throws Rejection, IOException {
        InputStream in = cms.stream();
        in.mark(CONTENT_TYPE_LOOKAHEAD);
        try {
            Object first = new ASN1StreamParser(in, cms.limit()).readObject();
            if (!(first instanceof ASN1SequenceParser sequence)) {
                throw new Rejection(new Corrupt(first == null ? "empty body" : "the body is not a CMS ContentInfo"));
            }
            ASN1ObjectIdentifier type = new ContentInfoParser(sequence).getContentType();
            in.reset();
            return type;
        } catch (IOException | RuntimeException e) {
            throw Rejection.of(e, new Corrupt(e instanceof Base64InputStream.Damaged ? Decryptor.BAD_BASE64
                    : "the body is not a CMS ContentInfo"));
        }
    }

    /** The verified message: the signed content, taken out of its {@code message/rfc822} wrapper. */
    private static Verified unwrap(SignatureVerifier.Signed signed, Decryptor.Decrypted decrypted, SpoolSet spools)
            throws Rejection, IOException {
        Spool spool = signed.holder();
        MimeHeaders headers;
        try (InputStream in = spool.open(signed.from(), signed.to())) {
            headers = MimeHeaders.read(in);
        } catch (MimeHeaders.MalformedException e) {
            throw Rejection.notVerified(Category.INNER_MIME);
        }
        Spool holder = spool;
        long start = signed.from();
        long end = signed.to();
        boolean wrapped = headers.contentType().is("message/rfc822");
        if (wrapped) {
            String encoding = headers.value("Content-Transfer-Encoding").orElse("7bit").toLowerCase(Locale.ROOT);
            if (encoding.equals("base64")) {
                // not allowed for message/rfc822 (RFC 2046 §5.2.1), but harmless to read
                try (InputStream in = spool.open(signed.from() + headers.length(), signed.to())) {
                    holder = spools.decode(in, headers).orElseThrow(() -> Rejection.notVerified(Category.INNER_MIME));
                } catch (IOException e) {
                    throw Rejection.of(e, new UnprotectResult.NotVerified(Category.INNER_MIME));
                }
                start = 0;
                end = holder.size();
            } else if (encoding.equals("7bit") || encoding.equals("8bit") || encoding.equals("binary")) {
                start = signed.from() + headers.length();
            } else {
                throw Rejection.notVerified(Category.INNER_MIME);
            }
        }
        spools.keep(holder);
        Signers.Verified signers = signed.signers();
        Algorithms algorithms = new Algorithms(decrypted.contentEncryption(), decrypted.keyTransport(),
                signers.digests(), signers.signatures(), signed.form(), wrapped);
        return new Verified(new SpooledMessage(holder, start, end), signers.signers(), signers.all(), algorithms);
    }
}
