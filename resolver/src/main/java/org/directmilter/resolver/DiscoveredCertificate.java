package org.directmilter.resolver;

import java.security.cert.X509Certificate;

/** A certificate discovery found, where it was found, and whether the caller's test accepted it. */
public record DiscoveredCertificate(X509Certificate certificate, Binding binding, String owner, String source,
                                    boolean usable) {
}
