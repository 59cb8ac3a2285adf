package org.directmilter.crypto.trust.bundle;

/** A bundle that could not be fetched, read or verified; the copy in force stays. */
public final class BundleException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why, as the Direct reference implementation names its bundle errors where it has a name. */
    public enum Reason {
        /** The server answered with an error status (404, 500, …) or the file is missing. */
        NOT_FOUND,
        /** No complete answer within the timeout. */
        DOWNLOAD_TIMEOUT,
        /** Connection refused, TLS failure (untrusted server certificate), unreadable file. */
        UNREACHABLE,
        /** Larger than the configured maximum. */
        TOO_LARGE,
        /** Not a PKCS#7 bundle, no CA certificate in it, or a signed bundle where none is expected. */
        INVALID_BUNDLE_FORMAT,
        /** Signed, but not by the configured signer, or the signature does not verify. */
        UNMATCHED_SIGNATURE,
        /** A signer is configured but the bundle is not signed. */
        NOT_SIGNED
    }

    private final Reason reason;

    public BundleException(Reason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** "UNMATCHED_SIGNATURE: …" for logs and {@code check} (the detail may quote a server: escape it). */
    public String describe() {
        return reason + ": " + getMessage();
    }
}
