/**
 * S/MIME as Direct uses it: {@link org.directmilter.crypto.smime.Protector} wraps, signs and encrypts an
 * outgoing message; the incoming side decrypts, verifies the signatures and unwraps, under an algorithm
 * policy, streaming large messages through private temporary files. Also the MIME parsing and the
 * streams both sides need.
 *
 * <p>Imports only {@code keys} (and the spool) of ours. Judging a signer's certificate is the caller's
 * business through {@code trust}; never imports resolver or milter.
 */
package org.directmilter.crypto.smime;
