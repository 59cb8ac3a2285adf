package org.directmilter.crypto.smime;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.smime.SMIMECapabilitiesAttribute;
import org.bouncycastle.asn1.smime.SMIMECapability;
import org.bouncycastle.asn1.smime.SMIMECapabilityVector;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSAuthEnvelopedDataStreamGenerator;
import org.bouncycastle.cms.CMSEnvelopedDataStreamGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataStreamGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.KeyTransRecipientInfoGenerator;
import org.bouncycastle.cms.RecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputAEADEncryptor;
import org.bouncycastle.operator.jcajce.JcaAlgorithmParametersConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JceAsymmetricKeyWrapper;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.util.Store;
import org.directmilter.crypto.keys.KeyUnavailableException;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.spool.ReadAheadInputStream;

/**
 * Outgoing processing (Direct AS §2): wrap the whole message as {@code message/rfc822}, sign it
 * (detached {@code multipart/signed}, SHA-256), encrypt the signed entity to every recipient
 * certificate, and emit the outer {@code application/pkcs7-mime} message with only the routing headers.
 *
 * <p>Everything streams in one pass: the original is read once, canonicalised to CRLF, and fed at
 * the same time to the encryptor and to the signature's digest; the signature part (a few KB) follows
 * once the content is done. Memory does not depend on the message size.
 *
 * <p>Providers: Bouncy Castle builds the CMS structures, but every cipher, digest and signature comes
 * from the JDK's providers (SunJCE AES with AES-NI, SUN SHA-256, SunRsaSign/SunEC), which are 2–3×
 * faster than Bouncy Castle's pure-Java engines on large bodies. Bouncy Castle is never registered as a
 * JCA provider. No provider is named for these, so with NativeCrypto the native one put first
 * ({@code jca.NativeProvider}) answers them instead.
 */
public final class Protector {

    /** Header fields the outer message keeps: what routing and MDN correlation need, never Subject or Bcc. */
    private static final Set<String> ROUTING_HEADERS = Set.of("from", "to", "cc", "date", "message-id");
    private static final byte[] CRLF = {'\r', '\n'};
    private static final Base64.Encoder MIME_BASE64 = Base64.getMimeEncoder(76, CRLF);
    /**
     * The largest buffer in the pipeline. Each AES and SHA call on 16 KB costs microseconds, against
     * nanoseconds of call overhead: larger buffers would only cost memory.
     */
    private static final int BUFFER = 16 * 1024;

    private final ProtectOptions options;
    private final SecureRandom random;
    /**
     * Each signer's certificates as Bouncy Castle holds them, parsed once per key rather than once per
     * message; an entry goes when the key store no longer holds its certificate.
     */
    private final Map<X509Certificate, SignerCertificates> signerCertificates =
            Collections.synchronizedMap(new WeakHashMap<>());
    /**
     * Each recipient certificate's issuer and serial number, which name it in its RecipientInfo: taken
     * from the parsed certificate once, not once per message (parsing it cost about 13 KB each time).
     */
    private final Map<X509Certificate, IssuerAndSerialNumber> recipientIds =
            Collections.synchronizedMap(new WeakHashMap<>());

    public Protector(ProtectOptions options) {
        this(options, new SecureRandom());
    }

    Protector(ProtectOptions options, SecureRandom random) {
        this.options = Objects.requireNonNull(options, "options");
        this.random = random;
    }

    /**
     * Protects {@code message} and writes the whole outer message (headers, empty line, body) to {@code out}.
     */
    public Protected protectMessage(InputStream message, PrivateKeyEntry signer, List<X509Certificate> recipients,
                                    OutputStream out) throws IOException, ProtectException {
        return run(message, signer, recipients, out, out);
    }

    /**
     * Protects {@code message}, writing only the outer body to {@code body}; the outer header fields are
     * returned (the milter replaces headers and body separately).
     */
    public Protected protect(InputStream message, PrivateKeyEntry signer, List<X509Certificate> recipients,
                             OutputStream body) throws IOException, ProtectException {
        return run(message, signer, recipients, null, body);
    }

    private Protected run(InputStream message, PrivateKeyEntry signer, List<X509Certificate> recipients,
                          OutputStream headerOut, OutputStream bodyOut) throws IOException, ProtectException {
        if (recipients.isEmpty()) {
            throw new ProtectException("no recipient certificate to encrypt to");
        }
        // sized to the message when it says how large it is, so that a 10 KB message takes 10 KB buffers
        int buffer = Buffers.sizeFor(message, 1024, BUFFER);
        ReadAheadInputStream in = new ReadAheadInputStream(message, buffer);
        MimeHeaders original;
        try {
            original = MimeHeaders.read(in);
        } catch (MimeHeaders.MalformedException e) {
            throw new ProtectException("not an RFC 5322 message: " + e.getMessage());
        }
        if (original.fields().isEmpty()) {
            throw new ProtectException("not an RFC 5322 message: no header fields");
        }
        String signatureAlgorithm = signatureAlgorithm(signer.key());
        CMSSignedDataStreamGenerator signatureGenerator = signatureGenerator(signer, signatureAlgorithm);
        List<MimeHeaderField> outer = outerHeaders(original);

        if (headerOut != null) {
            for (MimeHeaderField field : outer) {
                headerOut.write(field.toBytes());
            }
            headerOut.write(CRLF);
        }

        // the encoder writes whole blocks of lines (and the CRLF between two), so it needs no buffer after it
        OutputStream base64 = new Base64OutputStream(new Unclosable(bodyOut));
        try (OutputStream encrypted = openEnvelope(base64, recipients, buffer)) {
            String boundary = "----=_direct-milter_" + HexFormat.of().formatHex(randomBytes(12));
            encrypted.write(ascii("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";"
                    + " micalg=sha-256;\r\n\tboundary=\"" + boundary + "\"\r\n\r\n"
                    + "--" + boundary + "\r\n"));

            SignatureBytes signature = new SignatureBytes(signatureSize(signer));
            OutputStream digest = signatureGenerator.open(signature, false);
            // CRLF canonicalisation first (bare CR and bare LF alike), so the encryptor and the digest see
            // the very same bytes, and openssl verifies them in text mode as in binary mode.
            CrlfOutputStream signedPart =
                    new CrlfOutputStream(new BufferedOutputStream(new Tee(encrypted, digest), buffer));
            signedPart.write(ascii("Content-Type: message/rfc822\r\n\r\n"));
            signedPart.write(original.raw());
            in.transferTo(signedPart);
            signedPart.finish();
            signedPart.flush();
            closeSignature(digest, signer);

            encrypted.write(ascii("\r\n--" + boundary + "\r\n"
                    + "Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
                    + "Content-Transfer-Encoding: base64\r\n"
                    + "Content-Disposition: attachment; filename=smime.p7s\r\n\r\n"));
            encrypted.write(MIME_BASE64.encode(signature.contents()).array());
            encrypted.write(ascii("\r\n--" + boundary + "--\r\n"));
        }
        base64.close();
        bodyOut.write(CRLF);
        bodyOut.flush();
        return new Protected(outer, options.cipher().label(), options.keyTransport().label(), signatureAlgorithm,
                recipients.size());
    }

    private List<MimeHeaderField> outerHeaders(MimeHeaders original) {
        List<MimeHeaderField> outer = new ArrayList<>();
        for (MimeHeaderField field : original.fields()) {
            if (ROUTING_HEADERS.contains(field.lowerName())) {
                outer.add(field);
            }
        }
        String smimeType = options.cipher().authenticated() ? "authEnveloped-data" : "enveloped-data";
        outer.add(new MimeHeaderField("MIME-Version", "1.0"));
        outer.add(new MimeHeaderField("Content-Type", "application/pkcs7-mime; smime-type=" + smimeType
                + "; name=smime.p7m"));
        outer.add(new MimeHeaderField("Content-Transfer-Encoding", "base64"));
        outer.add(new MimeHeaderField("Content-Disposition", "attachment; filename=smime.p7m"));
        return outer;
    }

    private static String signatureAlgorithm(PrivateKey key) throws ProtectException {
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            default -> throw new ProtectException("cannot sign with a " + key.getAlgorithm() + " key (RSA or EC)");
        };
    }

    /** Signs, in the token for a token's key: a token that fails then is a temporary failure, not ours to reject. */
    private static void closeSignature(OutputStream digest, PrivateKeyEntry signer) throws IOException {
        try {
            digest.close();
        } catch (IOException | RuntimeException e) {
            if (signer.source().provider().isEmpty()) {
                throw e;
            }
            throw new KeyUnavailableException(signer.source().describe() + ": signing failed in the token: "
                    + e.getMessage(), e);
        }
    }

    private CMSSignedDataStreamGenerator signatureGenerator(PrivateKeyEntry signer, String algorithm)
            throws ProtectException, KeyUnavailableException {
        try {
            SMIMECapabilityVector capabilities = new SMIMECapabilityVector();
            capabilities.addCapability(SMIMECapability.aES256_CBC);
            capabilities.addCapability(SMIMECapability.aES128_CBC);
            ASN1EncodableVector attributes = new ASN1EncodableVector();
            attributes.add(new SMIMECapabilitiesAttribute(capabilities));

            SignerCertificates certificates = signerCertificates(signer);
            CMSSignedDataStreamGenerator generator = new CMSSignedDataStreamGenerator();
            generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                    new JcaDigestCalculatorProviderBuilder().build())
                    .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(attributes)))
                    .build(contentSigner(signer, algorithm), certificates.certificate()));
            generator.addCertificates(certificates.chain());
            return generator;
        } catch (OperatorCreationException | CertificateEncodingException | CMSException e) {
            throw new ProtectException("the signing key or certificate is unusable: " + e.getMessage(), e);
        }
    }

    private SignerCertificates signerCertificates(PrivateKeyEntry signer) throws CertificateEncodingException {
        SignerCertificates known = signerCertificates.get(signer.certificate());
        if (known == null) {
            // what the signature takes: the certificates it carries, the SignerInfo and the structure around
            int signatureSize = signer.certificate().getEncoded().length + 2048;
            for (X509Certificate cert : signer.chain()) {
                signatureSize += cert.getEncoded().length;
            }
            known = new SignerCertificates(new JcaX509CertificateHolder(signer.certificate()),
                    new JcaCertStore(signer.chain()), signatureSize);
            signerCertificates.put(signer.certificate(), known);
        }
        return known;
    }

    /** The size to expect of a signature by {@code signer} (known once its generator was made). */
    private int signatureSize(PrivateKeyEntry signer) {
        SignerCertificates known = signerCertificates.get(signer.certificate());
        return known == null ? 8192 : known.signatureSize();
    }

    /**
     * A signer's certificate and chain, parsed (immutable, shared by the messages it signs), and about how
     * large a signature carrying them is.
     */
    private record SignerCertificates(X509CertificateHolder certificate, Store<X509CertificateHolder> chain,
                                      int signatureSize) {
    }

    /**
     * The private-key operation is the key's own provider's (a token's key never leaves the token); the
     * digests are the JDK's. A token that cannot start signing fails temporarily.
     */
    private ContentSigner contentSigner(PrivateKeyEntry signer, String algorithm)
            throws OperatorCreationException, KeyUnavailableException {
        JcaContentSignerBuilder builder = new JcaContentSignerBuilder(algorithm).setSecureRandom(random);
        Optional<Provider> provider = signer.source().provider();
        if (provider.isEmpty()) {
            return builder.build(signer.key());
        }
        try {
            return builder.setProvider(provider.get()).build(signer.key());
        } catch (OperatorCreationException | RuntimeException e) {
            throw new KeyUnavailableException(signer.source().describe() + ": cannot start signing in the token: "
                    + e.getMessage(), e);
        }
    }

    private OutputStream openEnvelope(OutputStream out, List<X509Certificate> recipients, int buffer)
            throws ProtectException, IOException {
        try {
            List<RecipientInfoGenerator> infos = new ArrayList<>();
            for (X509Certificate cert : recipients) {
                infos.add(recipientInfo(cert));
            }
            if (options.cipher().authenticated()) {
                CMSAuthEnvelopedDataStreamGenerator generator = new CMSAuthEnvelopedDataStreamGenerator();
                infos.forEach(generator::addRecipientInfoGenerator);
                generator.setBufferSize(buffer);
                return generator.open(out, (OutputAEADEncryptor) new JceCMSContentEncryptorBuilder(
                        options.cipher().oid()).setSecureRandom(random).build());
            }
            CMSEnvelopedDataStreamGenerator generator = new CMSEnvelopedDataStreamGenerator();
            infos.forEach(generator::addRecipientInfoGenerator);
            generator.setBufferSize(buffer);
            return generator.open(out, new CbcEncryptor(options.cipher().oid(), options.cipher().keyBits(), random,
                    buffer));
        } catch (CMSException | GeneralSecurityException e) {
            throw new ProtectException("encryption failed: " + e.getMessage(), e);
        }
    }

    private RecipientInfoGenerator recipientInfo(X509Certificate cert) throws ProtectException {
        if (!"RSA".equals(cert.getPublicKey().getAlgorithm())) {
            throw new ProtectException("recipient certificate " + cert.getSubjectX500Principal().getName()
                    + " has a " + cert.getPublicKey().getAlgorithm() + " key; only RSA key transport is supported");
        }
        try {
            // as JceKeyTransRecipientInfoGenerator(cert[, algorithm]) builds it, with the id from the cache
            JceAsymmetricKeyWrapper wrapper = options.keyTransport().oaep() == null ? new JceAsymmetricKeyWrapper(cert)
                    : new JceAsymmetricKeyWrapper(new JcaAlgorithmParametersConverter().getAlgorithmIdentifier(
                            PKCSObjectIdentifiers.id_RSAES_OAEP, options.keyTransport().oaep()), cert.getPublicKey());
            return new KeyTransport(recipientId(cert), wrapper);
        } catch (GeneralSecurityException e) {
            throw new ProtectException("recipient certificate " + cert.getSubjectX500Principal().getName()
                    + " is unusable: " + e.getMessage(), e);
        }
    }

    private IssuerAndSerialNumber recipientId(X509Certificate cert) throws CertificateEncodingException {
        IssuerAndSerialNumber known = recipientIds.get(cert);
        if (known == null) {
            known = new IssuerAndSerialNumber(new JcaX509CertificateHolder(cert).toASN1Structure());
            recipientIds.put(cert, known);
        }
        return known;
    }

    /** A RecipientInfo by issuer and serial number, the content key wrapped to the certificate's key. */
    private static final class KeyTransport extends KeyTransRecipientInfoGenerator {
        KeyTransport(IssuerAndSerialNumber recipient, JceAsymmetricKeyWrapper wrapper) {
            super(recipient, wrapper);
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The signature's DER, base64-encoded from where it was written rather than from a copy. */
    private static final class SignatureBytes extends ByteArrayOutputStream {
        SignatureBytes(int expectedSize) {
            super(expectedSize);
        }

        ByteBuffer contents() {
            return ByteBuffer.wrap(buf, 0, count);
        }
    }

    /** Writes to two streams: the encryptor and the signature digest. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }

    /** Lets the base64 encoder be closed (to flush its last quantum) without closing the caller's stream. */
    private static final class Unclosable extends FilterOutputStream {
        Unclosable(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
