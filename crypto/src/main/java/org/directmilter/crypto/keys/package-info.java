/**
 * The daemon's private keys: the {@link org.directmilter.crypto.keys.PrivateKeyStore} seam, its PKCS#12
 * directory implementation, and {@link org.directmilter.crypto.keys.PrivateKeyEntry} (a key with its chain,
 * never printed).
 *
 * <p>Imports nothing else of ours. Like all of crypto, never imports resolver or milter.
 */
package org.directmilter.crypto.keys;
