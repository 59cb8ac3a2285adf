package org.directmilter.crypto.keys;

import java.util.List;

/**
 * Where the daemon's private keys come from. The PKCS#12 directory is the first implementation; a
 * PKCS#11 token will be another behind the same seam.
 */
public interface PrivateKeyStore {

    /**
     * The keys that may act for {@code address}: the address's own keys first, then its domain's.
     * Empty when there are none; a store that exists but cannot be read is a {@link KeyStoreException}.
     */
    List<PrivateKeyEntry> keysFor(String address) throws KeyStoreException;
}
