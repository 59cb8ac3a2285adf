package org.directmilter.crypto.smime;

import org.directmilter.crypto.spool.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignatureAlgorithmNameGenerator;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataParser;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.CMSTypedStream;
import org.bouncycastle.cms.DefaultCMSSignatureAlgorithmNameGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.SignerInformationStore;
import org.bouncycastle.cms.SignerInformationVerifier;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.RuntimeOperatorException;
import org.bouncycastle.operator.SignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.util.Store;
import org.directmilter.crypto.smime.UnprotectResult.Category;

/**
 * Verifies the signature of a decrypted entity — detached {@code multipart/signed} or opaque
 * {@code signed-data} — over the bytes exactly as received, and says where the signed content is.
 *
 * <p>Everything it reads was decrypted, so every way it fails is the one constant
 * {@link UnprotectResult.NotVerified}; only the {@link Category} differs, for the audit line.
 */
final class SignatureVerifier {

    private static final int MAX_SIGNATURE_BYTES = 1 << 20;

    // Immutable once built, and each costs a few hundred map entries: built once, not per signer.
    private static final CMSSignatureAlgorithmNameGenerator SIGNATURE_NAMES =
            new DefaultCMSSignatureAlgorithmNameGenerator();
    private static final SignatureAlgorithmIdentifierFinder SIGNATURE_ALGORITHMS =
            new DefaultSignatureAlgorithmIdentifierFinder();

    /** The signed content: {@code [from, to)} of {@code holder}, verified by {@code signers}. */
    record Signed(Spool holder, long from, long to, Signers.Verified signers, Algorithms.SignatureForm form) {
    }

    private final AlgorithmPolicy policy;
    private final DigestCalculatorProvider digests;
    private final RecentCertificates recentCertificates = new RecentCertificates(RecentCertificates.DEFAULT_BYTES);

    SignatureVerifier(AlgorithmPolicy policy) {
        this.policy = policy;
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("no digest provider in this JVM", e);
        }
    }

    Signed verify(Spool entity, SpoolSet spools) throws Rejection, IOException {
        try {
            MimeHeaders headers;
            try (InputStream in = entity.open()) {
                headers = headers(in);
            }
            ContentType type = headers.contentType();
            if (type.is("multipart/signed")) {
                return verifyDetached(entity, headers, type);
            }
            if (type.is("application/pkcs7-mime", "application/x-pkcs7-mime")) {
                String smimeType = type.parameter("smime-type").orElse("signed-data").toLowerCase(Locale.ROOT);
                if (smimeType.equals("signed-data")) {
                    return verifyOpaque(entity, headers, spools);
                }
            }
            throw Rejection.notVerified(Category.UNSIGNED);
        } catch (RuntimeException e) {
            // Bouncy Castle's parsers signal some damage with runtime exceptions (casts, indexes)
            throw Rejection.of(e, new UnprotectResult.NotVerified(Category.INNER_CMS));
        }
    }

    private Signed verifyDetached(Spool entity, MimeHeaders headers, ContentType type) throws Rejection, IOException {
        String boundary = type.parameter("boundary").filter(b -> !b.isEmpty()).orElse(null);
        if (boundary == null) {
            throw Rejection.notVerified(Category.INNER_MIME);
        }
        List<BoundaryScanner.Delimiter> delimiters;
        try (InputStream body = entity.open(headers.length(), entity.size())) {
            delimiters = BoundaryScanner.scan(body, headers.length(), boundary);
        }
        if (delimiters.size() != 3 || delimiters.get(0).close() || delimiters.get(1).close()
                || !delimiters.get(2).close()) {
            throw Rejection.notVerified(Category.INNER_MIME);
        }
        long contentStart = delimiters.get(0).end();
        long contentEnd = delimiters.get(1).breakStart();
        long signatureStart = delimiters.get(1).end();
        long signatureEnd = delimiters.get(2).breakStart();
        if (contentEnd < contentStart || signatureEnd < signatureStart) {
            throw Rejection.notVerified(Category.INNER_MIME);
        }
        byte[] signature = signaturePart(entity, signatureStart, signatureEnd);

        Signers signers = signersOver(signature, entity, contentStart, contentEnd, false);
        if (signers instanceof Signers.Failed failed && failed.category() == Category.BAD_SIGNATURE) {
            // A sender that wrote bare line ends signed the CRLF form (RFC 5751 §3.1.1).
            Signers canonical = signersOver(signature, entity, contentStart, contentEnd, true);
            if (canonical instanceof Signers.Verified) {
                signers = canonical;
            }
        }
        return new Signed(entity, contentStart, contentEnd, verified(signers), Algorithms.SignatureForm.DETACHED);
    }

    private byte[] signaturePart(Spool entity, long start, long end) throws Rejection, IOException {
        try (InputStream in = entity.open(start, end)) {
            MimeHeaders part = headers(in);
            if (!part.contentType().is("application/pkcs7-signature", "application/x-pkcs7-signature")) {
                throw Rejection.notVerified(Category.INNER_MIME);
            }
            // read into one array as large as the part's body can decode to (a few KB), not a growing one
            byte[] bytes = new byte[(int) Math.min(MAX_SIGNATURE_BYTES + 1L,
                    part.decodedSizeBound(end - start - part.length()))];
            int n;
            try (InputStream decoded = part.bodyDecoder(in).orElse(null)) {
                if (decoded == null) {
                    throw Rejection.notVerified(Category.INNER_MIME);
                }
                n = decoded.readNBytes(bytes, 0, bytes.length);
            } catch (IOException e) {
                throw Rejection.of(e, new UnprotectResult.NotVerified(Category.INNER_MIME));
            }
            if (n > MAX_SIGNATURE_BYTES) {
                throw Rejection.notVerified(Category.INNER_MIME);
            }
            return n == bytes.length ? bytes : Arrays.copyOf(bytes, n);
        }
    }

    /** The signers of a detached {@code signature} over {@code [from, to)} of {@code entity}. */
    private Signers signersOver(byte[] signature, Spool entity, long from, long to, boolean canonical)
            throws IOException {
        try {
            // The content is digested straight from the spool when each SignerInfo is verified: no
            // parser-side buffer and no copy of it.
            CMSSignedData signed = new CMSSignedData(new SpooledContent(entity, from, to, canonical), signature);
            if (!digestsAccepted(signed.getDigestAlgorithmIDs())) {
                return new Signers.Failed(Category.WEAK_ALGORITHM);
            }
            return signers(signed.getSignerInfos(), signed.getCertificates());
        } catch (CMSException | RuntimeException e) {
            Rejection.rethrowOwn(e);
            return new Signers.Failed(Category.INNER_CMS);
        }
    }

    private Signed verifyOpaque(Spool entity, MimeHeaders headers, SpoolSet spools) throws Rejection, IOException {
        Spool cms;
        try (InputStream body = entity.open(headers.length(), entity.size())) {
            cms = spools.decode(body, headers).orElseThrow(() -> Rejection.notVerified(Category.INNER_MIME));
        } catch (IOException e) {
            throw Rejection.of(e, new UnprotectResult.NotVerified(Category.INNER_MIME));
        }
        Spool content = spools.newSpoolSizedLike(cms);
        Signers signers;
        try {
            CMSSignedDataParser parser = new CMSSignedDataParser(digests, CmsInput.of(cms, spools).asn1());
            if (!digestsAccepted(parser.getDigestAlgorithmIDs())) {
                throw Rejection.notVerified(Category.WEAK_ALGORITHM);
            }
            CMSTypedStream signed = parser.getSignedContent();
            if (signed == null) {
                throw Rejection.notVerified(Category.INNER_CMS);
            }
            try (InputStream in = signed.getContentStream(); OutputStream out = content.output()) {
                in.transferTo(out);
            }
            signers = signers(parser.getSignerInfos(), parser.getCertificates());
        } catch (CMSException | IOException e) {
            throw Rejection.of(e, new UnprotectResult.NotVerified(Category.INNER_CMS));
        }
        return new Signed(content, 0, content.size(), verified(signers), Algorithms.SignatureForm.OPAQUE);
    }

    private static Signers.Verified verified(Signers signers) throws Rejection {
        if (signers instanceof Signers.Failed failed) {
            throw Rejection.notVerified(failed.category());
        }
        return (Signers.Verified) signers;
    }

    private boolean digestsAccepted(Collection<AlgorithmIdentifier> algorithms) {
        return algorithms.stream().allMatch(digest -> policy.digest(digest.getAlgorithm().getId()).isPresent());
    }

    /**
     * Verifies every SignerInfo (of a drained parser); all must verify and meet the policy. A SignerInfo
     * names its certificate by issuer and serial (or key identifier), which the sender chooses: when
     * several certificates carry that name, each is tried, and the one that verifies is the signer.
     */
    private Signers signers(SignerInformationStore signerInfos, Store<X509CertificateHolder> store) {
        Collection<SignerInformation> infos = signerInfos.getSigners();
        if (infos.isEmpty()) {
            return new Signers.Failed(Category.UNSIGNED);
        }
        List<X509Certificate> all = new ArrayList<>();
        Map<X509CertificateHolder, X509Certificate> certificates = new HashMap<>();
        try {
            for (X509CertificateHolder holder : store.getMatches(null)) {
                X509Certificate cert = recentCertificates.get(holder);
                certificates.put(holder, cert);
                all.add(cert);
            }
        } catch (CertificateException e) {
            return new Signers.Failed(Category.INNER_CMS);
        }
        List<X509Certificate> signerCerts = new ArrayList<>();
        List<String> digestNames = new ArrayList<>();
        List<String> signatureNames = new ArrayList<>();
        for (SignerInformation info : infos) {
            String digestOid = info.getDigestAlgOID();
            String signatureOid = info.getEncryptionAlgOID();
            if (policy.digest(digestOid).isEmpty() || policy.signature(signatureOid).isEmpty()
                    || !pssParametersAccepted(info)) {
                return new Signers.Failed(Category.WEAK_ALGORITHM);
            }
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> candidates = store.getMatches(info.getSID());
            X509Certificate signer = null;
            for (X509CertificateHolder candidate : candidates) {
                X509Certificate cert = certificates.get(candidate);
                if (cert != null && verifies(info, cert.getPublicKey())) {
                    signer = cert;
                    break;
                }
            }
            if (signer == null) {
                return new Signers.Failed(Category.BAD_SIGNATURE);
            }
            if (policy.weakKey(signer.getPublicKey()).isPresent()) {
                return new Signers.Failed(Category.WEAK_ALGORITHM);
            }
            signerCerts.add(signer);
            digestNames.add(AlgorithmPolicy.digestName(digestOid));
            signatureNames.add(AlgorithmPolicy.signatureName(signatureOid));
        }
        return new Signers.Verified(signerCerts, all, digestNames, signatureNames);
    }

    /** RSASSA-PSS carries its own hash and mask hash: both must be ones the policy accepts (not SHA-1). */
    private boolean pssParametersAccepted(SignerInformation info) {
        if (!PKCSObjectIdentifiers.id_RSASSA_PSS.getId().equals(info.getEncryptionAlgOID())) {
            return true;
        }
        try {
            RSASSAPSSparams params = RSASSAPSSparams.getInstance(info.toASN1Structure()
                    .getDigestEncryptionAlgorithm().getParameters());
            AlgorithmIdentifier mgfHash = AlgorithmIdentifier.getInstance(params.getMaskGenAlgorithm().getParameters());
            return policy.digest(params.getHashAlgorithm().getAlgorithm().getId()).isPresent()
                    && policy.digest(mgfHash.getAlgorithm().getId()).isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean verifies(SignerInformation info, PublicKey key) {
        try {
            // Built from the key, not the certificate: validity and trust are the validator's call.
            return info.verify(new SignerInformationVerifier(SIGNATURE_NAMES, SIGNATURE_ALGORITHMS,
                    new PssAwareVerifierProvider(key), digests));
        } catch (CMSException | OperatorCreationException | RuntimeOperatorException e) {
            return false;
        }
    }

    /**
     * Bouncy Castle's JCA verifier with the JDK's RSASSA-PSS: Bouncy Castle asks the JDK for
     * {@code SHA256WITHRSAANDMGF1}, a name only its own provider knows, where the JDK has one
     * {@code RSASSA-PSS} that takes the parameters from the algorithm identifier.
     */
    private static final class PssAwareVerifierProvider implements ContentVerifierProvider {
        private final PublicKey key;
        private final ContentVerifierProvider others;

        PssAwareVerifierProvider(PublicKey key) throws OperatorCreationException {
            this.key = key;
            this.others = new JcaContentVerifierProviderBuilder().build(key);
        }

        @Override
        public boolean hasAssociatedCertificate() {
            return false;
        }

        @Override
        public X509CertificateHolder getAssociatedCertificate() {
            return null;
        }

        @Override
        public ContentVerifier get(AlgorithmIdentifier algorithm) throws OperatorCreationException {
            if (!algorithm.getAlgorithm().equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
                return others.get(algorithm);
            }
            try {
                AlgorithmParameters parameters = AlgorithmParameters.getInstance("RSASSA-PSS");
                parameters.init(algorithm.getParameters().toASN1Primitive().getEncoded());
                Signature signature = Signature.getInstance("RSASSA-PSS");
                signature.initVerify(key);
                signature.setParameter(parameters.getParameterSpec(PSSParameterSpec.class));
                return new SignatureVerifierStream(algorithm, signature);
            } catch (GeneralSecurityException | IOException | NullPointerException e) {
                throw new OperatorCreationException("RSASSA-PSS parameters unusable", e);
            }
        }
    }

    /** A {@link ContentVerifier} over a JCA {@link Signature}. */
    private static final class SignatureVerifierStream extends OutputStream implements ContentVerifier {
        private final AlgorithmIdentifier algorithm;
        private final Signature signature;

        SignatureVerifierStream(AlgorithmIdentifier algorithm, Signature signature) {
            this.algorithm = algorithm;
            this.signature = signature;
        }

        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return algorithm;
        }

        @Override
        public OutputStream getOutputStream() {
            return this;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            try {
                signature.update(b, off, len);
            } catch (GeneralSecurityException e) {
                throw new RuntimeOperatorException("signature update failed", e);
            }
        }

        @Override
        public boolean verify(byte[] expected) {
            try {
                return signature.verify(expected);
            } catch (GeneralSecurityException e) {
                return false;
            }
        }
    }

    private static MimeHeaders headers(InputStream in) throws IOException, Rejection {
        try {
            return MimeHeaders.read(in);
        } catch (MimeHeaders.MalformedException e) {
            throw Rejection.notVerified(Category.INNER_MIME);
        }
    }

    /** Detached content, digested straight from the spool; on request in canonical form (CRLF line ends). */
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
}
