package org.directmilter.crypto.trust;

import java.util.List;

/** Where the validator gets a domain's anchors for a direction: {@code store::anchorsFor} in the daemon. */
@FunctionalInterface
public interface AnchorSource {
    List<Anchor> anchorsFor(String localDomain, Direction direction);
}
