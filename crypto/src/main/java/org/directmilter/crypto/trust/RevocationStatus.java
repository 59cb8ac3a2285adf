package org.directmilter.crypto.trust;

import java.time.Instant;
import java.time.ZoneOffset;

/** What a CRL said about one certificate; "could not check" is {@link Unknown}, never {@link Good}. */
public sealed interface RevocationStatus {

    String explanation();

    /** A CRL verified with the issuer's key, current now, does not list the certificate. */
    record Good(String crlUrl) implements RevocationStatus {
        public String explanation() {
            return "not revoked per CRL " + crlUrl;
        }
    }

    record Revoked(Instant date, String reason, String crlUrl) implements RevocationStatus {
        public String explanation() {
            return "revoked " + date.atOffset(ZoneOffset.UTC).toLocalDate() + " (" + reason + ") per CRL " + crlUrl;
        }
    }

    /** No current, verified CRL could be had; the reason says why. */
    record Unknown(String reason) implements RevocationStatus {
        public String explanation() {
            return "revocation status unknown: " + reason;
        }
    }
}
