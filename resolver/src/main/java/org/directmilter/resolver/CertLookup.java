package org.directmilter.resolver;

/** Looks up the CERT records at one owner name. Implementations never throw for DNS or network trouble. */
@FunctionalInterface
public interface CertLookup {

    /** @param owner an absolute owner name in presentation form, e.g. {@code bob.example.org.} */
    OwnerLookup lookup(String owner);
}
