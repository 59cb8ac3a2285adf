package org.directmilter.crypto.smime;

import java.security.spec.MGF1ParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * How the content key is encrypted to each recipient's RSA key. PKCS#1 v1.5 is the default every
 * Direct implementation reads; OAEP with SHA-1 is read by the reference implementation, OAEP with
 * SHA-256 is not.
 */
public enum KeyTransport {
    RSA_PKCS1("rsa-pkcs1", null),
    RSA_OAEP_SHA1("rsa-oaep", OAEPParameterSpec.DEFAULT),
    RSA_OAEP_SHA256("rsa-oaep-sha256", new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
            PSource.PSpecified.DEFAULT));

    private final String label;
    private final OAEPParameterSpec oaep;

    KeyTransport(String label, OAEPParameterSpec oaep) {
        this.label = label;
        this.oaep = oaep;
    }

    /** OAEP parameters, or null for PKCS#1 v1.5. */
    OAEPParameterSpec oaep() {
        return oaep;
    }

    public String label() {
        return label;
    }

    public static KeyTransport fromLabel(String text) {
        for (KeyTransport k : values()) {
            if (k.label.equalsIgnoreCase(text.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown key transport '" + text + "' (rsa-pkcs1, rsa-oaep, "
                + "rsa-oaep-sha256)");
    }
}
