/**
 * The daemon's private keys: the {@link org.directmilter.crypto.keys.PrivateKeyStore} seam (an address's own
 * keys, then its domain's), its PKCS#12 directory implementation (file modes checked on every use), the
 * PKCS#11 token store {@link org.directmilter.crypto.keys.Pkcs11KeyStore} (keys that never leave the token,
 * through SunPKCS11), {@link org.directmilter.crypto.keys.CompositeKeyStore} for both at once, and
 * {@link org.directmilter.crypto.keys.PrivateKeyEntry} (a key with its chain and its
 * {@link org.directmilter.crypto.keys.KeySource}, never printed). {@link org.directmilter.crypto.keys.TokenFailures}
 * tells a failed token from bad data, so that only the first becomes a temporary failure.
 *
 * <p>Of ours, imports only {@code crypto.text} (log escaping). Like all of crypto, never imports resolver
 * or milter.
 */
package org.directmilter.crypto.keys;
