package org.directmilter.milter.policy;

import java.nio.file.Path;
import org.directmilter.crypto.keys.PrivateKeyStore;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.crypto.smime.Unprotector;
import org.directmilter.crypto.trust.TrustValidator;
import org.directmilter.milter.notify.Notifier;
import org.directmilter.resolver.CertificateDiscovery;
import org.directmilter.resolver.ResolverSettings;

/**
 * Everything one message is judged with, fixed for that message: a reload builds a new one, and a
 * message in flight keeps the one it started with. The daemon assembles it from the configuration.
 * {@code notifier} sends the MDNs about verified incoming mail; {@code tracker} records outgoing mail
 * and correlates the notifications that come back about it.
 */
public record DirectPolicy(PolicySettings settings, PrivateKeyStore keys, TrustValidator validator,
                    ResolverSettings resolverSettings, CertificateDiscovery discovery, Protector protector, Unprotector unprotector,
                    long spoolThreshold, Path temporaryDirectory, Notifier notifier, Tracker tracker) {
}
