package org.directmilter.crypto.trust;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Where the validator gets a domain's anchors for a direction: {@code store::anchorsFor} in the daemon. */
@FunctionalInterface
public interface AnchorSource {
    List<Anchor> anchorsFor(String localDomain, Direction direction);

    /**
     * The anchors of {@code first} followed by those of {@code second}, each certificate once (the first
     * source's anchor wins, so a certificate both in AnchorDir and in a bundle shows as the file).
     */
    static AnchorSource both(AnchorSource first, AnchorSource second) {
        return (domain, direction) -> {
            List<Anchor> a = first.anchorsFor(domain, direction);
            List<Anchor> b = second.anchorsFor(domain, direction);
            if (b.isEmpty()) {
                return a;
            }
            if (a.isEmpty()) {
                return b;
            }
            Set<X509Certificate> seen = new HashSet<>();
            List<Anchor> out = new ArrayList<>(a.size() + b.size());
            for (Anchor anchor : a) {
                if (seen.add(anchor.certificate())) {
                    out.add(anchor);
                }
            }
            for (Anchor anchor : b) {
                if (seen.add(anchor.certificate())) {
                    out.add(anchor);
                }
            }
            return out;
        };
    }
}
