package org.directmilter.crypto.smime;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.cms.CMSAlgorithm;

/**
 * Content encryption for outgoing messages. CBC (EnvelopedData) is what the deployed Direct
 * ecosystem reads; GCM (AuthEnvelopedData, RFC 5083/5084) is an option per partner.
 */
public enum ContentCipher {
    AES_128_CBC("AES-128-CBC", CMSAlgorithm.AES128_CBC, 128, false),
    AES_256_CBC("AES-256-CBC", CMSAlgorithm.AES256_CBC, 256, false),
    AES_128_GCM("AES-128-GCM", CMSAlgorithm.AES128_GCM, 128, true),
    AES_256_GCM("AES-256-GCM", CMSAlgorithm.AES256_GCM, 256, true);

    private final String label;
    private final ASN1ObjectIdentifier oid;
    private final int keyBits;
    private final boolean authenticated;

    ContentCipher(String label, ASN1ObjectIdentifier oid, int keyBits, boolean authenticated) {
        this.label = label;
        this.oid = oid;
        this.keyBits = keyBits;
        this.authenticated = authenticated;
    }

    ASN1ObjectIdentifier oid() {
        return oid;
    }

    int keyBits() {
        return keyBits;
    }

    /** True for AuthEnvelopedData (smime-type=authEnveloped-data). */
    public boolean authenticated() {
        return authenticated;
    }

    /** The configuration spelling, e.g. {@code aes-256-cbc}; parse with {@link #fromLabel}. */
    public String label() {
        return label;
    }

    public static ContentCipher fromLabel(String text) {
        for (ContentCipher c : values()) {
            if (c.label.equalsIgnoreCase(text.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown content cipher '" + text + "' (aes-128-cbc, aes-256-cbc, "
                + "aes-128-gcm, aes-256-gcm)");
    }
}
