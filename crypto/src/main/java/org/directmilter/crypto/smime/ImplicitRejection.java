package org.directmilter.crypto.smime;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSException;
import org.directmilter.crypto.keys.KeyUnavailableException;
import org.directmilter.crypto.keys.TokenFailures;

/**
 * Implicit rejection of a content key that does not unwrap (RFC 3218 §2.3, as OpenSSL does it): when
 * RSA decryption of the encrypted key fails (PKCS#1 v1.5 padding, OAEP) or yields a key of the wrong
 * length, decryption goes on with a synthetic key of the right length instead of stopping. The content
 * then fails to decrypt or to verify like any other damaged message, so a sender cannot tell a bad key
 * from bad content: no Bleichenbacher (or Manger) oracle, whatever the reply or the audit line says.
 *
 * <p>The synthetic key is an HMAC of the encrypted key under a secret of this instance, not a fresh random
 * one: the same ciphertext then always takes the same path.
 */
final class ImplicitRejection {

    private static final String HMAC = "HmacSHA256";

    /** Key bytes and JCA key algorithm of each content cipher a key may be unwrapped for. */
    private static final Map<String, Integer> KEY_BYTES = Map.of(
            "2.16.840.1.101.3.4.1.2", 16, "2.16.840.1.101.3.4.1.22", 24, "2.16.840.1.101.3.4.1.42", 32,
            "2.16.840.1.101.3.4.1.6", 16, "2.16.840.1.101.3.4.1.26", 24, "2.16.840.1.101.3.4.1.46", 32,
            "1.2.840.113549.3.7", 24);
    private static final String TRIPLE_DES = "1.2.840.113549.3.7";

    private final byte[] secret = new byte[32];

    ImplicitRejection(SecureRandom random) {
        random.nextBytes(secret);
    }

    /** Unwraps the content key, as a JCA key recipient does; throws what it throws. */
    interface Unwrap {
        Key unwrap() throws CMSException;
    }

    /** The unwrapped key when it unwraps and fits {@code contentEncryption}, else the synthetic one. */
    Key contentKey(Unwrap unwrap, AlgorithmIdentifier contentEncryption, byte[] encryptedKey) {
        String oid = contentEncryption.getAlgorithm().getId();
        Integer length = KEY_BYTES.get(oid);
        try {
            Key key = unwrap.unwrap();
            byte[] raw = key.getEncoded();
            if (length == null || raw == null || raw.length == length) {
                // a cipher we do not know the key of (the policy refused it before), or a key that stays in its token
                return key;
            }
        } catch (CMSException | RuntimeException e) {
            // A token that failed as a device (removed, out of sessions) is our temporary failure, which no
            // ciphertext can provoke; see TokenFailures for why nothing else is told apart.
            Optional<String> token = TokenFailures.tokenFailure(e);
            if (token.isPresent()) {
                throw new TokenFailed(new KeyUnavailableException("the key's token failed to unwrap the content key ("
                        + token.get() + ")", null));
            }
            // Deliberately nothing: not a word, not a log line. The synthetic key below takes over.
        }
        return synthetic(encryptedKey, oid, length == null ? 32 : length);
    }

    /** Carries a token failure out through Bouncy Castle to {@link Rejection#rethrowOwn}. */
    static final class TokenFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TokenFailed(KeyUnavailableException unavailable) {
            super(unavailable);
        }

        KeyUnavailableException unavailable() {
            return (KeyUnavailableException) getCause();
        }
    }

    private Key synthetic(byte[] encryptedKey, String oid, int length) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret, HMAC));
            mac.update(oid.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] derived = mac.doFinal(encryptedKey);
            return new SecretKeySpec(Arrays.copyOf(derived, length), oid.equals(TRIPLE_DES) ? "DESede" : "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
