package org.directmilter.crypto.trust;

/**
 * One reason a certificate is not usable, in words fit for an SMTP reply, the audit log and the CLI.
 *
 * @param kind        what went wrong, for code that maps reasons to actions
 * @param explanation e.g. "expired 2026-03-01" or "rfc822Name bob@x does not match alice@x"
 */
public record Problem(Kind kind, String explanation) {

    public enum Kind {
        EXPIRED, NOT_YET_VALID, NO_TRUSTED_PATH, REVOKED, REVOCATION_UNKNOWN, NOT_BOUND, KEY_USAGE,
        WEAK_KEY, WEAK_SIGNATURE, UNSUPPORTED
    }

    @Override
    public String toString() {
        return explanation;
    }
}
