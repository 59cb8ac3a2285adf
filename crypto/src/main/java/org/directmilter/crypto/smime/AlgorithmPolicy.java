package org.directmilter.crypto.smime;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Map;
import java.util.Optional;

/**
 * Which algorithms an incoming message may use (Direct AS 1.3 §2.6–2.8, RFC 5751): SHA-256/384/512
 * digests, RSA (PKCS#1 v1.5 or PSS) of at least 2048 bits or ECDSA on a curve of at least 256 bits,
 * AES content encryption; 3DES only when the operator allows it. Anything not named here is refused.
 */
final class AlgorithmPolicy {

    static final int MIN_RSA_BITS = 2048;

    private static final Map<String, String> DIGESTS = Map.of(
            "2.16.840.1.101.3.4.2.1", "SHA-256",
            "2.16.840.1.101.3.4.2.2", "SHA-384",
            "2.16.840.1.101.3.4.2.3", "SHA-512");

    private static final Map<String, String> WEAK_DIGESTS = Map.of(
            "1.2.840.113549.2.5", "MD5",
            "1.3.14.3.2.26", "SHA-1",
            "2.16.840.1.101.3.4.2.4", "SHA-224");

    private static final Map<String, String> SIGNATURES = Map.of(
            "1.2.840.113549.1.1.1", "RSA",
            "1.2.840.113549.1.1.11", "SHA256withRSA",
            "1.2.840.113549.1.1.12", "SHA384withRSA",
            "1.2.840.113549.1.1.13", "SHA512withRSA",
            "1.2.840.113549.1.1.10", "RSASSA-PSS",
            "1.2.840.10045.2.1", "ECDSA",
            "1.2.840.10045.4.3.2", "SHA256withECDSA",
            "1.2.840.10045.4.3.3", "SHA384withECDSA",
            "1.2.840.10045.4.3.4", "SHA512withECDSA");

    private static final Map<String, String> CIPHERS = Map.of(
            "2.16.840.1.101.3.4.1.2", "AES-128-CBC",
            "2.16.840.1.101.3.4.1.22", "AES-192-CBC",
            "2.16.840.1.101.3.4.1.42", "AES-256-CBC",
            "2.16.840.1.101.3.4.1.6", "AES-128-GCM",
            "2.16.840.1.101.3.4.1.26", "AES-192-GCM",
            "2.16.840.1.101.3.4.1.46", "AES-256-GCM");

    private static final String TRIPLE_DES = "1.2.840.113549.3.7";

    private static final Map<String, String> WEAK_CIPHERS = Map.of(
            TRIPLE_DES, "3DES-CBC",
            "1.2.840.113549.3.2", "RC2-CBC",
            "1.3.14.3.2.7", "DES-CBC",
            "1.2.840.113549.3.4", "RC4");

    static final Map<String, String> KEY_TRANSPORTS = Map.of(
            "1.2.840.113549.1.1.1", "RSA PKCS#1 v1.5",
            "1.2.840.113549.1.1.7", "RSA-OAEP");

    private final boolean allowTripleDes;

    AlgorithmPolicy(boolean allowTripleDes) {
        this.allowTripleDes = allowTripleDes;
    }

    /** The cipher's name when allowed, else empty with {@link #refusal} saying why. */
    Optional<String> contentCipher(String oid) {
        if (CIPHERS.containsKey(oid)) {
            return Optional.of(CIPHERS.get(oid));
        }
        if (oid.equals(TRIPLE_DES) && allowTripleDes) {
            return Optional.of("3DES-CBC");
        }
        return Optional.empty();
    }

    static String cipherName(String oid) {
        return CIPHERS.getOrDefault(oid, WEAK_CIPHERS.getOrDefault(oid, oid));
    }

    Optional<String> digest(String oid) {
        return Optional.ofNullable(DIGESTS.get(oid));
    }

    static String digestName(String oid) {
        return DIGESTS.getOrDefault(oid, WEAK_DIGESTS.getOrDefault(oid, oid));
    }

    Optional<String> signature(String oid) {
        return Optional.ofNullable(SIGNATURES.get(oid));
    }

    static String signatureName(String oid) {
        return SIGNATURES.getOrDefault(oid, oid);
    }

    /** Empty when the signer's key is strong enough, else the reason. */
    Optional<String> weakKey(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            return bits < MIN_RSA_BITS ? Optional.of("RSA key of " + bits + " bits (at least " + MIN_RSA_BITS
                    + " required)") : Optional.empty();
        }
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits < 256 ? Optional.of("EC key of " + bits + " bits (at least 256 required)") : Optional.empty();
        }
        return Optional.of(key.getAlgorithm() + " keys are not accepted for signatures");
    }
}
