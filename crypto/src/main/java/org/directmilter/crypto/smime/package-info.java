/**
 * S/MIME as Direct uses it: {@link org.directmilter.crypto.smime.Protector} wraps, signs and encrypts an
 * outgoing message; {@link org.directmilter.crypto.smime.Unprotector} opens an incoming one, with a
 * {@code Decryptor} (EnvelopedData, AuthEnvelopedData, implicit rejection of a key that does not unwrap)
 * and a {@code SignatureVerifier} (detached or opaque, PKCS#1 v1.5, PSS, ECDSA), under an algorithm
 * policy, streaming large messages through private temporary files. Also the MIME parsing and the
 * streams both sides need.
 *
 * <p>No oracle: every failure from the unwrapping of the content key on is one
 * {@link org.directmilter.crypto.smime.UnprotectResult.NotVerified} with one constant reason, and no
 * exception text here quotes what it parsed.
 *
 * <p>Imports only {@code keys} (and the spool) of ours. Judging a signer's certificate is the caller's
 * business through {@code trust}; never imports resolver or milter.
 */
package org.directmilter.crypto.smime;
