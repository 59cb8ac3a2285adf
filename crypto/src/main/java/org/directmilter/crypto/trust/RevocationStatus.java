package org.directmilter.crypto.trust;

import java.time.Instant;
import java.time.ZoneOffset;

/** What a CRL said about one certificate; "could not check" is {@link Unknown}, never {@link Good}. */
public sealed interface RevocationStatus {

    String explanation();

    /** A CRL verified with the issuer's key, current now, does not list the certificate. */
    /** {@code inGrace}: the CRL is past its nextUpdate, within the grace, as no newer one could be had. */
    record Good(String crlUrl, boolean inGrace) implements RevocationStatus {
        public String explanation() {
            return "not revoked per CRL " + crlUrl + (inGrace ? " (past its nextUpdate, within the grace)" : "");
        }
    }

    record Revoked(Instant date, String reason, String crlUrl) implements RevocationStatus {
        public String explanation() {
            return "revoked " + date.atOffset(ZoneOffset.UTC).toLocalDate() + " (" + reason + ") per CRL " + crlUrl;
        }
    }

    /**
     * The certificate names no CRL distribution point: its issuer publishes no revocation for it, so there
     * is nothing to learn by waiting.
     */
    record NotPublished(String certificate) implements RevocationStatus {
        public String explanation() {
            return "revocation status unknown: no CRL distribution point";
        }
    }

    /**
     * No current, verified CRL could be had.
     *
     * @param category why, in fixed words that may be shown to the sender (nothing fetched is in them)
     * @param detail   the URLs and what each server did, for the operator's log
     */
    record Unknown(String category, String detail) implements RevocationStatus {
        public String explanation() {
            return "revocation status unknown: " + category;
        }
    }
}
