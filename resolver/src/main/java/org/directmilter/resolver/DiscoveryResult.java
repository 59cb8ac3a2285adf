package org.directmilter.resolver;

import java.util.List;

/**
 * The outcome of discovering the certificates of one address. Every variant carries the owner-name
 * lookups made, in order, for logs and the {@code lookup} command.
 */
public sealed interface DiscoveryResult {

    DirectAddress address();

    List<OwnerLookup> steps();

    /**
     * The first productive step had usable certificates: encrypt to every one of {@code usable}.
     * {@code unusable} holds the others found at the same step.
     */
    record Found(DirectAddress address, Binding binding, List<DiscoveredCertificate> usable,
                 List<DiscoveredCertificate> unusable, List<OwnerLookup> steps) implements DiscoveryResult {
        public Found {
            usable = List.copyOf(usable);
            unusable = List.copyOf(unusable);
            steps = List.copyOf(steps);
        }
    }

    /**
     * A step published certificate records but none is usable: discovery stopped there and did not fall
     * back to the domain (DCDT D5/D7). {@code unusable} may be empty when no record could be read.
     */
    record FoundNoneUsable(DirectAddress address, Binding binding, List<DiscoveredCertificate> unusable,
                           List<OwnerLookup> steps) implements DiscoveryResult {
        public FoundNoneUsable {
            unusable = List.copyOf(unusable);
            steps = List.copyOf(steps);
        }
    }

    /** Neither the address nor the domain publishes certificates (in DNS, nor in LDAP when it is asked). */
    record NotFound(DirectAddress address, List<OwnerLookup> steps) implements DiscoveryResult {
        public NotFound {
            steps = List.copyOf(steps);
        }
    }

    /** The answer is unknown now (DNS, HTTP or LDAP trouble): try again later, never "no certificate". */
    record TemporaryFailure(DirectAddress address, String reason, List<OwnerLookup> steps)
            implements DiscoveryResult {
        public TemporaryFailure {
            steps = List.copyOf(steps);
        }
    }
}
