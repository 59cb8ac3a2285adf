package org.directmilter.crypto.keys;

import java.nio.file.Path;
import java.security.Provider;
import java.util.Optional;

/**
 * Where a private key lives, and so which provider must perform its private-key operations: a key in a
 * PKCS#11 token can only be used by the token's provider (it never leaves the token), a key read from a
 * file by the JDK's providers.
 */
public sealed interface KeySource {

    /** The provider for signing and key unwrapping with this key; empty: the JCA's first that takes it. */
    Optional<Provider> provider();

    /** For {@code check} and log lines: the file, or the token and the object's label. */
    String describe();

    /** A key read from a PKCS#12 file. */
    record Pkcs12File(Path file) implements KeySource {
        @Override
        public Optional<Provider> provider() {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "PKCS#12 file " + file;
        }
    }

    /**
     * A key that stays in a PKCS#11 token; {@code token} says which (module and slot), {@code label} is the
     * key's alias (CKA_LABEL) there.
     */
    record Pkcs11Token(String token, String label, Provider tokenProvider) implements KeySource {
        @Override
        public Optional<Provider> provider() {
            return Optional.of(tokenProvider);
        }

        @Override
        public String describe() {
            return token + ", label \"" + label + "\"";
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** A key handed over in memory (tests, tools). */
    record InMemory() implements KeySource {
        @Override
        public Optional<Provider> provider() {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "memory";
        }
    }
}
