package org.directmilter.crypto.smime;

import java.util.Objects;

/** How outgoing messages are protected. {@link #DEFAULTS} is what every Direct receiver can read. */
public record ProtectOptions(ContentCipher cipher, KeyTransport keyTransport) {

    public static final ProtectOptions DEFAULTS = new ProtectOptions(ContentCipher.AES_256_CBC, KeyTransport.RSA_PKCS1);

    public ProtectOptions {
        Objects.requireNonNull(cipher, "cipher");
        Objects.requireNonNull(keyTransport, "keyTransport");
    }
}
