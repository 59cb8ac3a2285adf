package org.directmilter.crypto.smime;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1SequenceParser;
import org.bouncycastle.asn1.ASN1StreamParser;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfoParser;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSAuthEnvelopedDataParser;
import org.bouncycastle.cms.CMSEnvelopedDataParser;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignatureAlgorithmNameGenerator;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataParser;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.CMSTypedStream;
import org.bouncycastle.cms.DefaultCMSSignatureAlgorithmNameGenerator;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.RecipientInformationStore;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.SignerInformationStore;
import org.bouncycastle.cms.SignerInformationVerifier;
import org.bouncycastle.cms.jcajce.JceKeyTransAuthEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientId;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.SignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.util.Store;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.UnprotectResult.BadSignature;
import org.directmilter.crypto.smime.UnprotectResult.Corrupt;
import org.directmilter.crypto.smime.UnprotectResult.Failure;
import org.directmilter.crypto.smime.UnprotectResult.MalformedMime;
import org.directmilter.crypto.smime.UnprotectResult.NoKey;
import org.directmilter.crypto.smime.UnprotectResult.NotSmime;
import org.directmilter.crypto.smime.UnprotectResult.Unsigned;
import org.directmilter.crypto.smime.UnprotectResult.Verified;
import org.directmilter.crypto.smime.UnprotectResult.WeakAlgorithm;
import org.directmilter.crypto.spool.Spool;

/**
 * Incoming processing: decrypt (EnvelopedData or AuthEnvelopedData) with whichever of the offered keys
 * a RecipientInfo names, verify every signature (detached {@code multipart/signed} or opaque
 * {@code signed-data}) over the bytes exactly as received, and return the inner message unwrapped from
 * {@code message/rfc822}.
 *
 * <p>The outcome is always an {@link UnprotectResult}; only a failure of our own (reading the caller's
 * stream, local temporary storage) is an {@link IOException}. Intermediate data — the CMS bytes, the
 * decrypted entity — lives in {@link Spool}s, so memory stays flat for large messages; every spool is
 * deleted before returning, except the one the verified message is read from.
 *
 * <p>As in {@link Protector}, ciphers, digests and signatures come from the JDK's providers.
 */
public final class Unprotector {

    private static final int MAX_SIGNATURE_BYTES = 1 << 20;

    /**
     * AES-GCM decryption only: the JDK cannot build GCM parameters from the CMS algorithm identifier,
     * and SunJCE would hold the whole ciphertext until the tag is checked, where Bouncy Castle streams
     * (the tag is still checked at the end, before we accept anything). Not registered as a JCA provider.
     */
    private static final Provider GCM_PROVIDER = new BouncyCastleProvider();

    // Immutable once built, and each costs a few hundred map entries: built once, not per signer.
    private static final CMSSignatureAlgorithmNameGenerator SIGNATURE_NAMES =
            new DefaultCMSSignatureAlgorithmNameGenerator();
    private static final SignatureAlgorithmIdentifierFinder SIGNATURE_ALGORITHMS =
            new DefaultSignatureAlgorithmIdentifierFinder();

    private final UnprotectOptions options;
    private final AlgorithmPolicy policy;
    private final DigestCalculatorProvider digests;

    public Unprotector(UnprotectOptions options) {
        this.options = options;
        this.policy = new AlgorithmPolicy(options.allowTripleDes());
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("no digest provider in this JVM", e);
        }
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
        Run run = new Run();
        try {
            return run.unprotect(new SourceInputStream(message), length, keys);
        } catch (SourceException e) {
            throw (IOException) e.getCause();
        } catch (SourceUnchecked e) {
            throw (IOException) e.getCause().getCause();
        } catch (Spool.SpoolException e) {
            throw e.getCause();
        } catch (Stop stop) {
            return stop.failure;
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SourceException source) {
                    throw (IOException) source.getCause();
                }
            }
            // Bouncy Castle's parsers signal some damage with runtime exceptions (casts, indexes).
            return new Corrupt("unreadable structure: " + describe(e));
        } finally {
            run.closeSpools();
        }
    }

    /** One message's work and the spools it opened. */
    private final class Run {
        private final List<Spool> spools = new ArrayList<>();
        private final List<InputStream> opened = new ArrayList<>();
        private Spool kept;
        private String contentEncryption;
        private String keyTransport;

        UnprotectResult unprotect(InputStream source, long length, List<PrivateKeyEntry> keys) throws IOException {
            // only the header block is read through this buffer: the base64 decoder reads larger blocks past it
            BufferedInputStream in = new BufferedInputStream(source, Buffers.SMALLEST);
            MimeHeaders outer = headers(in);
            ContentType type = contentType(outer);
            if (type.is("multipart/signed")) {
                return new NotSmime("signed but not encrypted");
            }
            if (!type.is("application/pkcs7-mime", "application/x-pkcs7-mime")) {
                return new NotSmime("not an encrypted S/MIME message (Content-Type " + type.mimeType() + ")");
            }
            String smimeType = type.parameter("smime-type").orElse("").toLowerCase(Locale.ROOT);
            if (smimeType.equals("signed-data") || smimeType.equals("certs-only")) {
                return new NotSmime("signed but not encrypted (smime-type=" + smimeType + ")");
            }
            Cms cms = length >= 0 ? streamed(in, outer, length - outer.length()) : spooled(decodeBody(in, outer));
            ASN1ObjectIdentifier cmsType = contentInfoType(cms);
            Spool entity;
            if (cmsType.equals(CMSObjectIdentifiers.envelopedData)) {
                entity = decryptEnveloped(cms, keys);
            } else if (cmsType.equals(CMSObjectIdentifiers.authEnvelopedData)) {
                entity = decryptAuthEnveloped(cms, keys);
            } else if (cmsType.equals(CMSObjectIdentifiers.signedData)) {
                return new NotSmime("signed but not encrypted (CMS signed-data)");
            } else {
                return new NotSmime("CMS content of type " + cmsType.getId() + " is not encrypted data");
            }
            return verify(entity);
        }

        /**
         * The CMS bytes decoded as the parser reads them. The body's length bounds every length the
         * structure may claim (its decoded form is shorter), as the spool's size does otherwise.
         */
        private Cms streamed(InputStream body, MimeHeaders headers, long bodyLength) {
            InputStream decoded = new BufferedInputStream(decoder(body, headers), Buffers.SMALLEST);
            return new Cms(decoded, (int) Math.max(1, Math.min(Integer.MAX_VALUE, bodyLength)), bodyLength / 4 * 3);
        }

        private Cms spooled(Spool spool) {
            if (spool.size() == 0) {
                throw new Stop(new Corrupt("empty body"));
            }
            InputStream in = spool.open();
            opened.add(in);
            return new Cms(in.markSupported() ? in : new BufferedInputStream(in, 512), limit(spool), spool.size());
        }

        // ---- decryption ----

        private Spool decryptEnveloped(Cms cms, List<PrivateKeyEntry> keys) throws IOException {
            CMSEnvelopedDataParser parser = cmsParser(() -> new CMSEnvelopedDataParser(cms.asn1()));
            contentEncryption = acceptCipher(parser.getEncryptionAlgOID());
            Match match = findRecipient(parser.getRecipientInfos(), keys);
            CbcRecipient recipient = new CbcRecipient(match.key().key(), cms.expectedSize());
            CMSTypedStream content = cmsParser(() -> match.info().getContentStream(recipient));
            // read our decrypting stream itself, not Bouncy Castle's buffered wrapper: one copy fewer
            return decrypted(recipient.decrypting().orElseGet(content::getContentStream), cms);
        }

        private Spool decryptAuthEnveloped(Cms cms, List<PrivateKeyEntry> keys) throws IOException {
            CMSAuthEnvelopedDataParser parser = cmsParser(() -> new CMSAuthEnvelopedDataParser(cms.asn1()));
            contentEncryption = acceptCipher(parser.getEncAlgOID());
            Match match = findRecipient(parser.getRecipientInfos(), keys);
            CMSTypedStream content = cmsParser(() -> match.info().getContentStream(
                    new JceKeyTransAuthEnvelopedRecipient(match.key().key()).setContentProvider(GCM_PROVIDER)));
            return decrypted(content.getContentStream(), cms);
        }

        private String acceptCipher(String oid) {
            return policy.contentCipher(oid).orElseThrow(() -> new Stop(new WeakAlgorithm(
                    "content encryption " + AlgorithmPolicy.cipherName(oid) + " is not accepted")));
        }

        private Match findRecipient(RecipientInformationStore store, List<PrivateKeyEntry> keys) {
            for (PrivateKeyEntry key : keys) {
                try {
                    RecipientInformation info = store.get(new JceKeyTransRecipientId(key.certificate()));
                    if (info != null) {
                        keyTransport = AlgorithmPolicy.KEY_TRANSPORTS.getOrDefault(info.getKeyEncryptionAlgOID(),
                                info.getKeyEncryptionAlgOID());
                        return new Match(info, key);
                    }
                } catch (IllegalArgumentException e) {
                    // a certificate that cannot form a recipient id cannot match either
                }
            }
            throw new Stop(new NoKey("encrypted to " + store.size() + " recipient(s), none of them one of our "
                    + keys.size() + " key(s)"));
        }

        private Spool decrypted(InputStream plaintext, Cms ciphertext) throws IOException {
            Spool spool = newSpool(ciphertext.expectedSize() > options.spoolThreshold());
            try (InputStream in = plaintext; OutputStream out = spool.output()) {
                in.transferTo(out);
            } catch (IOException e) {
                rethrowOwn(e);
                throw new Stop(new Corrupt("decryption failed (damaged ciphertext or wrong key): " + describe(e)));
            }
            return spool;
        }

        // ---- signatures ----

        private UnprotectResult verify(Spool entity) throws IOException {
            MimeHeaders headers = headers(entity.open());
            ContentType type = contentType(headers);
            if (type.is("multipart/signed")) {
                return verifyDetached(entity, headers, type);
            }
            if (type.is("application/pkcs7-mime", "application/x-pkcs7-mime")) {
                String smimeType = type.parameter("smime-type").orElse("signed-data").toLowerCase(Locale.ROOT);
                if (smimeType.equals("signed-data")) {
                    return verifyOpaque(entity, headers);
                }
            }
            return new Unsigned("the decrypted content (" + type.mimeType() + ") is not signed");
        }

        private UnprotectResult verifyDetached(Spool entity, MimeHeaders headers, ContentType type)
                throws IOException {
            String boundary = type.parameter("boundary").filter(b -> !b.isEmpty())
                    .orElseThrow(() -> new Stop(new MalformedMime("multipart/signed without a boundary")));
            List<BoundaryScanner.Delimiter> delimiters;
            try (InputStream body = entity.open(headers.length(), entity.size())) {
                delimiters = BoundaryScanner.scan(body, headers.length(), boundary);
            }
            if (delimiters.size() != 3 || delimiters.get(0).close() || delimiters.get(1).close()
                    || !delimiters.get(2).close()) {
                return new MalformedMime("multipart/signed must hold exactly two parts (found "
                        + Math.max(0, delimiters.size() - 1) + " delimiters' worth)");
            }
            long contentStart = delimiters.get(0).end();
            long contentEnd = delimiters.get(1).breakStart();
            long signatureStart = delimiters.get(1).end();
            long signatureEnd = delimiters.get(2).breakStart();
            if (contentEnd < contentStart || signatureEnd < signatureStart) {
                return new MalformedMime("multipart/signed parts overlap");
            }
            byte[] signature = signaturePart(entity, signatureStart, signatureEnd);

            Signers signers = verifySignature(signature, entity, contentStart, contentEnd, false);
            if (signers.failure() instanceof BadSignature) {
                // A sender that wrote bare LF line ends signed the CRLF form (RFC 5751 §3.1.1).
                Signers canonical = verifySignature(signature, entity, contentStart, contentEnd, true);
                if (canonical.failure() == null) {
                    signers = canonical;
                }
            }
            if (signers.failure() != null) {
                return signers.failure();
            }
            return unwrap(entity, contentStart, contentEnd, signers, Algorithms.SignatureForm.DETACHED);
        }

        private byte[] signaturePart(Spool entity, long start, long end) throws IOException {
            try (InputStream in = entity.open(start, end)) {
                MimeHeaders part = headers(in);
                ContentType type = contentType(part);
                if (!type.is("application/pkcs7-signature", "application/x-pkcs7-signature")) {
                    throw new Stop(new MalformedMime("second part of multipart/signed is " + type.mimeType()
                            + ", not application/pkcs7-signature"));
                }
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (InputStream decoded = decoder(in, part)) {
                    byte[] buffer = new byte[8192];
                    int n;
                    while ((n = decoded.read(buffer)) > 0) {
                        bytes.write(buffer, 0, n);
                        if (bytes.size() > MAX_SIGNATURE_BYTES) {
                            throw new Stop(new MalformedMime("signature part larger than " + MAX_SIGNATURE_BYTES));
                        }
                    }
                } catch (IOException e) {
                    rethrowOwn(e);
                    throw new Stop(new Corrupt("signature part is not valid base64: " + describe(e)));
                }
                return bytes.toByteArray();
            }
        }

        private Signers verifySignature(byte[] signature, Spool entity, long from, long to, boolean canonical) {
            try {
                // The content is digested straight from the spool when each SignerInfo is verified: no
                // parser-side buffer and no copy of it.
                CMSSignedData signed = new CMSSignedData(new SpooledContent(entity, from, to, canonical), signature);
                checkDigests(signed.getDigestAlgorithmIDs());
                return signers(signed.getSignerInfos(), signed.getCertificates());
            } catch (CMSException e) {
                rethrowOwn(e);
                return new Signers(List.of(), List.of(), List.of(), List.of(),
                        new Corrupt("the signature is not a readable CMS structure: " + describe(e)));
            } catch (Stop stop) {
                return new Signers(List.of(), List.of(), List.of(), List.of(), stop.failure);
            }
        }

        private UnprotectResult verifyOpaque(Spool entity, MimeHeaders headers) throws IOException {
            Spool cms;
            try (InputStream body = entity.open(headers.length(), entity.size())) {
                cms = decodeBody(body, headers);
            }
            Spool content = newSpoolSizedLike(cms);
            Signers signers;
            try {
                CMSSignedDataParser parser = new CMSSignedDataParser(digests, spooled(cms).asn1());
                checkDigests(parser.getDigestAlgorithmIDs());
                CMSTypedStream signed = parser.getSignedContent();
                if (signed == null) {
                    return new MalformedMime("signed-data without content and without a detached part");
                }
                try (InputStream in = signed.getContentStream(); OutputStream out = content.output()) {
                    in.transferTo(out);
                }
                signers = signers(parser.getSignerInfos(), parser.getCertificates());
            } catch (CMSException | IOException e) {
                rethrowOwn(e);
                return new Corrupt("signed-data is not a readable CMS structure: " + describe(e));
            }
            if (signers.failure() != null) {
                return signers.failure();
            }
            return unwrap(content, 0, content.size(), signers, Algorithms.SignatureForm.OPAQUE);
        }

        private void checkDigests(Collection<AlgorithmIdentifier> algorithms) {
            for (AlgorithmIdentifier digest : algorithms) {
                String oid = digest.getAlgorithm().getId();
                if (policy.digest(oid).isEmpty()) {
                    throw new Stop(new WeakAlgorithm("digest " + AlgorithmPolicy.digestName(oid) + " is not accepted"));
                }
            }
        }

        /** Verifies every SignerInfo (of a drained parser); all must verify and meet the policy. */
        private Signers signers(SignerInformationStore signerInfos, Store<X509CertificateHolder> store) {
            Collection<SignerInformation> infos = signerInfos.getSigners();
            if (infos.isEmpty()) {
                return new Signers(List.of(), List.of(), List.of(), List.of(),
                        new Unsigned("signed-data without any SignerInfo"));
            }
            List<X509Certificate> all = new ArrayList<>();
            Map<X509CertificateHolder, X509Certificate> converted = new HashMap<>();
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            try {
                for (X509CertificateHolder holder : store.getMatches(null)) {
                    X509Certificate cert = converter.getCertificate(holder);
                    converted.put(holder, cert);
                    all.add(cert);
                }
            } catch (CertificateException e) {
                return failed(new Corrupt("a certificate in the signature cannot be read: " + describe(e)));
            }
            List<X509Certificate> signerCerts = new ArrayList<>();
            List<String> digestNames = new ArrayList<>();
            List<String> signatureNames = new ArrayList<>();
            for (SignerInformation info : infos) {
                String digestOid = info.getDigestAlgOID();
                String signatureOid = info.getEncryptionAlgOID();
                if (policy.digest(digestOid).isEmpty()) {
                    return failed(new WeakAlgorithm("digest " + AlgorithmPolicy.digestName(digestOid)
                            + " is not accepted"));
                }
                if (policy.signature(signatureOid).isEmpty()) {
                    return failed(new WeakAlgorithm("signature algorithm " + signatureOid + " is not accepted"));
                }
                @SuppressWarnings("unchecked")
                Collection<X509CertificateHolder> matches = store.getMatches(info.getSID());
                if (matches.isEmpty()) {
                    return failed(new BadSignature("the signer's certificate is not included in the signature"));
                }
                X509Certificate cert = converted.get(matches.iterator().next());
                Optional<String> weak = policy.weakKey(cert.getPublicKey());
                if (weak.isPresent()) {
                    return failed(new WeakAlgorithm("signer " + cert.getSubjectX500Principal().getName() + ": "
                            + weak.get()));
                }
                boolean valid;
                try {
                    // Built from the key, not the certificate: validity and trust are the validator's call.
                    valid = info.verify(verifier(cert.getPublicKey()));
                } catch (CMSException | OperatorCreationException e) {
                    valid = false;
                }
                if (!valid) {
                    return failed(new BadSignature("the signature of " + cert.getSubjectX500Principal().getName()
                            + " does not verify: the content or the signature was altered"));
                }
                signerCerts.add(cert);
                digestNames.add(AlgorithmPolicy.digestName(digestOid));
                signatureNames.add(AlgorithmPolicy.signatureName(signatureOid));
            }
            return new Signers(signerCerts, all, digestNames, signatureNames, null);
        }

        private Signers failed(Failure failure) {
            return new Signers(List.of(), List.of(), List.of(), List.of(), failure);
        }

        // ---- unwrapping ----

        private UnprotectResult unwrap(Spool spool, long from, long to, Signers signers,
                                       Algorithms.SignatureForm form) throws IOException {
            MimeHeaders headers;
            try (InputStream in = spool.open(from, to)) {
                headers = headers(in);
            }
            ContentType type = contentType(headers);
            Spool holder = spool;
            long start = from;
            long end = to;
            boolean wrapped = type.is("message/rfc822");
            if (wrapped) {
                String encoding = headers.value("Content-Transfer-Encoding").orElse("7bit").toLowerCase(Locale.ROOT);
                if (encoding.equals("base64")) {
                    // not allowed for message/rfc822 (RFC 2046 §5.2.1), but harmless to read
                    try (InputStream in = spool.open(from + headers.length(), to)) {
                        holder = decodeBody(in, headers);
                    }
                    start = 0;
                    end = holder.size();
                } else if (encoding.equals("7bit") || encoding.equals("8bit") || encoding.equals("binary")) {
                    start = from + headers.length();
                } else {
                    return new MalformedMime("message/rfc822 with Content-Transfer-Encoding " + encoding);
                }
            }
            kept = holder;
            Algorithms algorithms = new Algorithms(contentEncryption, keyTransport, signers.digests(),
                    signers.signatures(), form, wrapped);
            return new Verified(new SpooledMessage(holder, start, end), signers.signers(), signers.all(), algorithms);
        }

        // ---- helpers ----

        /** In memory up to the threshold, or (for content known to be larger) in a file from the first byte. */
        private Spool newSpool(boolean large) {
            Spool spool = large ? Spool.onDisk(options.temporaryDirectory())
                    : new Spool(options.spoolThreshold(), options.temporaryDirectory());
            spools.add(spool);
            return spool;
        }

        /**
         * For the decoded body of {@code in}: straight to a file when what {@code in} says it holds will
         * not fit under the threshold, so that the threshold's worth of memory is not filled first only to
         * be written out. The size is only a hint here; a stream that cannot tell gets memory first.
         */
        private Spool newSpoolFor(InputStream in) {
            return newSpool(Buffers.known(in) / 4 * 3 > options.spoolThreshold());
        }

        /** For content about as large as {@code source}: straight to a file when that one is in a file. */
        private Spool newSpoolSizedLike(Spool source) {
            return newSpool(!source.inMemory());
        }

        void closeSpools() {
            for (InputStream in : opened) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // a read-only stream of our own spool: nothing was lost
                }
            }
            for (Spool spool : spools) {
                if (spool != kept) {
                    spool.close();
                }
            }
        }

        private Spool decodeBody(InputStream in, MimeHeaders headers) throws IOException {
            Spool spool = newSpoolFor(in);
            try (InputStream decoded = decoder(in, headers); OutputStream out = spool.output()) {
                decoded.transferTo(out);
            } catch (IOException | IllegalArgumentException e) {
                rethrowOwn(e);
                throw new Stop(new Corrupt("the body is not valid base64: " + describe(e)));
            }
            return spool;
        }

        private InputStream decoder(InputStream in, MimeHeaders headers) {
            String encoding = headers.value("Content-Transfer-Encoding").orElse("7bit").trim().toLowerCase(Locale.ROOT);
            return switch (encoding) {
                case "base64" -> new Base64InputStream(in);
                case "7bit", "8bit", "binary" -> in;
                default -> throw new Stop(new MalformedMime("unsupported Content-Transfer-Encoding " + encoding));
            };
        }

        /** The ContentInfo's type, read ahead: the parser that follows reads the structure from its start. */
        private ASN1ObjectIdentifier contentInfoType(Cms cms) throws IOException {
            InputStream in = cms.stream();
            in.mark(CONTENT_TYPE_LOOKAHEAD);
            try {
                Object first = new ASN1StreamParser(in, cms.limit()).readObject();
                if (!(first instanceof ASN1SequenceParser sequence)) {
                    throw new Stop(new Corrupt(first == null ? "empty body" : "the body is not a CMS ContentInfo"));
                }
                ASN1ObjectIdentifier type = new ContentInfoParser(sequence).getContentType();
                in.reset();
                return type;
            } catch (IOException e) {
                rethrowOwn(e);
                throw new Stop(new Corrupt("the body is not a CMS ContentInfo: " + describe(e)));
            }
        }
    }

    /** A ContentInfo's SEQUENCE header and content-type OID take a few dozen bytes. */
    private static final int CONTENT_TYPE_LOOKAHEAD = 256;

    /**
     * CMS bytes for a parser: a stream that can go back to its start after the content type was read,
     * the bound Bouncy Castle must hold every claimed length to, and about how many bytes there are.
     */
    private record Cms(InputStream stream, int limit, long expectedSize) {
        /** The parser's input, with the length limit so a forged length cannot make Bouncy Castle allocate it. */
        InputStream asn1() {
            return new ASN1InputStream(stream, limit);
        }
    }

    private static int limit(Spool spool) {
        return (int) Math.min(Integer.MAX_VALUE, spool.size());
    }

    private interface CmsCall<T> {
        T call() throws CMSException, IOException;
    }

    private static <T> T cmsParser(CmsCall<T> call) {
        try {
            return call.call();
        } catch (CMSException | IOException e) {
            // a read error here is damage in the structure (bad base64, a cut-off body), unless the
            // caller's own stream failed
            rethrowOwn(e);
            throw new Stop(new Corrupt("unreadable CMS: " + describe(e)));
        }
    }

    /**
     * Rethrows a failure of the caller's stream, however deep Bouncy Castle wrapped it: that is an
     * {@link IOException} for the caller, never a verdict on the message.
     */
    private static void rethrowOwn(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SourceException source) {
                throw new SourceUnchecked(source);
            }
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private record Match(RecipientInformation info, PrivateKeyEntry key) {
    }

    private record Signers(List<X509Certificate> signers, List<X509Certificate> all, List<String> digests,
                           List<String> signatures, Failure failure) {
    }

    /** Ends the work with a named failure from deep inside; never escapes {@link #unprotect}. */
    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Failure failure;

        Stop(Failure failure) {
            super(failure.reason(), null, false, false);
            this.failure = failure;
        }
    }

    /** The caller's stream failed: their problem, not the message's. */
    private static final class SourceException extends IOException {
        private static final long serialVersionUID = 1L;

        SourceException(IOException cause) {
            super(cause);
        }
    }

    private static final class SourceUnchecked extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SourceUnchecked(SourceException cause) {
            super(cause);
        }
    }

    private static final class SourceInputStream extends FilterInputStream {
        SourceInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw new SourceException(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw new SourceException(e);
            }
        }
    }

    /** What Bouncy Castle's JcaSimpleSignerInfoVerifierBuilder builds, with the shared parts shared. */
    private SignerInformationVerifier verifier(PublicKey key) throws OperatorCreationException {
        return new SignerInformationVerifier(SIGNATURE_NAMES, SIGNATURE_ALGORITHMS,
                new JcaContentVerifierProviderBuilder().build(key), digests);
    }

    /** Detached content, digested straight from the spool; on request in canonical form (bare LF as CRLF). */
    private static final class SpooledContent implements CMSTypedData {
        private final Spool spool;
        private final long from;
        private final long to;
        private final boolean canonical;

        SpooledContent(Spool spool, long from, long to, boolean canonical) {
            this.spool = spool;
            this.from = from;
            this.to = to;
            this.canonical = canonical;
        }

        @Override
        public ASN1ObjectIdentifier getContentType() {
            return CMSObjectIdentifiers.data;
        }

        @Override
        public void write(OutputStream out) {
            try (InputStream in = canonical ? new CrlfInputStream(spool.open(from, to)) : spool.open(from, to)) {
                in.transferTo(out);
            } catch (IOException e) {
                // the digest never fails to take bytes: this is our temporary storage, not the message
                throw new Spool.SpoolException(e);
            }
        }

        /** Never asked for when verifying: the content is only ever written to the digests. */
        @Override
        public Object getContent() {
            return null;
        }
    }

    private static MimeHeaders headers(InputStream in) throws IOException {
        try {
            return MimeHeaders.read(in);
        } catch (MimeHeaders.MalformedException e) {
            throw new Stop(new MalformedMime(e.getMessage()));
        }
    }

    private static ContentType contentType(MimeHeaders headers) {
        return headers.value("Content-Type").map(ContentType::parse).orElse(ContentType.TEXT_PLAIN);
    }
}
