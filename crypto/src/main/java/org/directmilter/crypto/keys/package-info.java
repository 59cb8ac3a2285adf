/**
 * The daemon's private keys: the {@link org.directmilter.crypto.keys.PrivateKeyStore} seam, its PKCS#12
 * directory implementation (file modes checked on every use), and
 * {@link org.directmilter.crypto.keys.PrivateKeyEntry} (a key with its chain, never printed).
 *
 * <p>Of ours, imports only {@code crypto.text} (log escaping). Like all of crypto, never imports resolver
 * or milter.
 */
package org.directmilter.crypto.keys;
