package org.directmilter.crypto.keys;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A private key with its certificate chain, leaf first, and where the key lives ({@link KeySource}: its
 * provider performs the private-key operations).
 *
 * <p>{@link #toString()} names the certificate only: a record's generated toString would print the
 * key, and these values end up in log lines and assertion messages.
 */
public record PrivateKeyEntry(PrivateKey key, List<X509Certificate> chain, KeySource source) {

    public PrivateKeyEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(source, "source");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a private key needs at least its own certificate");
        }
    }

    /** A key held in memory, used by the JDK's providers. */
    public PrivateKeyEntry(PrivateKey key, List<X509Certificate> chain) {
        this(key, chain, new KeySource.InMemory());
    }

    /** The certificate of this key (the leaf of the chain). */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    @Override
    public String toString() {
        X509Certificate cert = certificate();
        return "PrivateKeyEntry[" + key.getAlgorithm() + " key of " + cert.getSubjectX500Principal().getName()
                + ", serial " + cert.getSerialNumber().toString(16) + ", from " + source.describe() + "]";
    }
}
