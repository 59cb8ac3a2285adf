/**
 * The daemon's private keys: a directory of PKCS#12 files whose modes are checked on every use, behind
 * the {@link org.directmilter.crypto.keys.PrivateKeyStore} seam.
 */
package org.directmilter.crypto.keys;
