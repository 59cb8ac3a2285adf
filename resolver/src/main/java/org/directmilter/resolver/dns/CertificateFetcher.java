package org.directmilter.resolver.dns;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.List;

/** Fetches the certificates an IPKIX record points to. */
@FunctionalInterface
public interface CertificateFetcher {

    List<X509Certificate> fetch(URI url) throws FetchException;

    /** Why a URL gave no certificate; {@code temporary} when trying again later may succeed. */
    final class FetchException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean temporary;

        public FetchException(String message, boolean temporary) {
            super(message);
            this.temporary = temporary;
        }

        public boolean temporary() {
            return temporary;
        }
    }
}
