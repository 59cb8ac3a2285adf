package org.directmilter.crypto.keys;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Where the daemon's private keys come from: a directory of PKCS#12 files, a PKCS#11 token, or both
 * ({@link CompositeKeyStore}). Every store is asked the same two questions, an address's own keys and its
 * domain's, so the address-then-domain selection is the same whatever holds the keys.
 */
public interface PrivateKeyStore {

    /**
     * The keys held for exactly {@code name}, an address or a domain in lower case: for an address its
     * own keys only, not its domain's. Empty when there are none.
     *
     * @throws IllegalArgumentException when {@code name} cannot name a key at all
     * @throws KeyStoreException when the store exists but cannot be used
     */
    List<PrivateKeyEntry> keysNamed(String name) throws KeyStoreException;

    /**
     * The keys that may act for {@code address}: the address's own keys first, then its domain's.
     * Empty when there are none; a store that exists but cannot be read is a {@link KeyStoreException}.
     */
    default List<PrivateKeyEntry> keysFor(String address) throws KeyStoreException {
        String name = address.trim().toLowerCase(Locale.ROOT);
        List<PrivateKeyEntry> keys = new ArrayList<>(keysNamed(name));
        int at = name.indexOf('@');
        if (at >= 0) {
            keys.addAll(keysNamed(name.substring(at + 1)));
        }
        return Collections.unmodifiableList(keys);
    }
}
