package org.directmilter.crypto.trust;

/** What a certificate is to be used for; decides the key usage and key type it needs. */
public enum Purpose {
    /** Verifying a signer's signature (needs digitalSignature or nonRepudiation when keyUsage is present). */
    SIGNING,
    /** Encrypting to a recipient (RSA: keyEncipherment; EC: keyAgreement, when keyUsage is present). */
    ENCRYPTION
}
