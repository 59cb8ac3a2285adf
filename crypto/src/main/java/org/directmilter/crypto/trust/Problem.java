package org.directmilter.crypto.trust;

/**
 * One reason a certificate is not usable, in words fit for an SMTP reply, the audit log and the CLI:
 * facts of the certificate and of the anchors, never what a network fetch returned (that goes into the
 * result's warnings, for the operator).
 *
 * @param kind        what went wrong, for code that maps reasons to actions
 * @param explanation e.g. "expired 2026-03-01" or "rfc822Name bob@x does not match alice@x"
 * @param temporary   the certificate may become usable by itself later (its revocation status could not
 *                    be learnt now and the policy says to wait): the caller answers with a temporary
 *                    failure so the sender retries
 */
public record Problem(Kind kind, String explanation, boolean temporary) {

    public enum Kind {
        EXPIRED, NOT_YET_VALID, NO_TRUSTED_PATH, REVOKED, REVOCATION_UNKNOWN, NOT_BOUND, KEY_USAGE,
        WEAK_KEY, WEAK_SIGNATURE, UNSUPPORTED,
        /** not judged at all: the message had more certificates judged than its budget allows */
        TOO_MANY_CERTIFICATES
    }

    /** A problem that lasts: a retry will not cure it. */
    public Problem(Kind kind, String explanation) {
        this(kind, explanation, false);
    }

    @Override
    public String toString() {
        return explanation;
    }
}
