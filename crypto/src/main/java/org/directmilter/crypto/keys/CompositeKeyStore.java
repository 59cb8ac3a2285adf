package org.directmilter.crypto.keys;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Several stores used together, e.g. a PKCS#11 token and the PKCS#12 directory while keys move into the
 * token. An address's own keys from every store come before any of its domain's; within each, the stores
 * in the order given. A store that cannot be used fails the lookup (the message is tempfailed) rather than
 * being skipped: skipping would sign with, or fail to decrypt with, a different key than configured.
 */
public final class CompositeKeyStore implements PrivateKeyStore {

    private final List<PrivateKeyStore> stores;

    public CompositeKeyStore(List<? extends PrivateKeyStore> stores) {
        this.stores = List.copyOf(stores);
    }

    /** The stores, in the order they are asked. */
    public List<PrivateKeyStore> stores() {
        return stores;
    }

    @Override
    public List<PrivateKeyEntry> keysNamed(String name) throws KeyStoreException {
        List<PrivateKeyEntry> keys = new ArrayList<>();
        for (PrivateKeyStore store : stores) {
            keys.addAll(store.keysNamed(name));
        }
        return Collections.unmodifiableList(keys);
    }
}
