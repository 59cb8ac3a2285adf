package org.directmilter.milter.daemon;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.directmilter.crypto.jca.NativeProvider;
import org.directmilter.crypto.keys.CompositeKeyStore;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.Pkcs11KeyStore;
import org.directmilter.crypto.keys.Pkcs12DirectoryKeyStore;
import org.directmilter.crypto.keys.PrivateKeyStore;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.crypto.smime.UnprotectOptions;
import org.directmilter.crypto.smime.Unprotector;
import org.directmilter.crypto.trust.AnchorSource;
import org.directmilter.crypto.trust.TrustSettings;
import org.directmilter.crypto.trust.TrustSettings.UnknownRevocation;
import org.directmilter.crypto.trust.TrustValidator;
import org.directmilter.crypto.trust.bundle.BundleFetcher;
import org.directmilter.crypto.trust.bundle.BundleSpec;
import org.directmilter.crypto.trust.bundle.BundleStateDir;
import org.directmilter.crypto.trust.bundle.TrustBundles;
import org.directmilter.milter.config.BundleFiles;
import org.directmilter.crypto.trust.ValidationBudget;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.HostPort;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.notify.CommandSubmission;
import org.directmilter.milter.notify.EarlierAttempts;
import org.directmilter.milter.notify.Notifier;
import org.directmilter.milter.notify.SmtpSubmission;
import org.directmilter.milter.notify.Submission;
import org.directmilter.milter.policy.DirectPolicy;
import org.directmilter.milter.policy.PolicySettings;
import org.directmilter.milter.policy.Tracker;
import org.directmilter.milter.tracking.TrackingStore;
import org.directmilter.milter.server.ServerSettings;
import org.directmilter.milter.session.MessageLimits;
import org.directmilter.milter.session.SessionSettings;
import org.directmilter.resolver.CertificateDiscovery;
import org.directmilter.resolver.ResolverSettings;
import org.directmilter.resolver.cache.CacheSettings;
import org.directmilter.resolver.ldap.LdapSettings;

/**
 * The one place a {@link MilterConfig} becomes the daemon's parts: the server's, the sessions', the
 * resolver's, the validator's and the S/MIME engine's settings, and the policy that judges messages.
 * The daemon and the commands that work as the daemon does ({@code lookup}, {@code protect},
 * {@code unprotect}) take their settings from here, so a key is read in one place only.
 */
public final class Assembly {

    private Assembly() {
    }

    /**
     * NativeCrypto: the native provider made the JVM's first, for the life of the process (a restart key), by
     * the daemon and {@code check} before any key is read; empty with {@code NativeCrypto no}, when nothing
     * is installed at all.
     */
    public static Optional<NativeProvider.Installation> nativeCrypto(MilterConfig config) {
        return config.get(ConfigKeys.NATIVE_CRYPTO) ? Optional.of(NativeProvider.install()) : Optional.empty();
    }

    /**
     * The policy for messages that start from now on. A reload with {@code FlushCacheOnReload no} passes
     * the running policy as {@code previous}: its discovery cache is kept unless the resolver's settings
     * changed; without one, discovery starts with an empty cache. Keys come from the KeyStore directory
     * only (tests, and tools that open no token).
     */
    public static DirectPolicy policy(MilterConfig config, AnchorSource anchors, Optional<DirectPolicy> previous) {
        return policy(config, anchors, previous, Optional.empty());
    }

    /**
     * The policy as {@link #policy(MilterConfig, AnchorSource, Optional)} makes it, with the keys of
     * {@code token} (the one {@link #openToken} opened at start: a process logs in to its token once)
     * before those of the KeyStore directory.
     */
    public static DirectPolicy policy(MilterConfig config, AnchorSource anchors, Optional<DirectPolicy> previous,
                                      Optional<Pkcs11KeyStore> token) {
        return policy(config, anchors, previous, token, Optional.empty());
    }

    /**
     * The daemon's policy: as {@link #policy(MilterConfig, AnchorSource, Optional, Optional)}, tracking
     * outgoing mail in {@code store} (opened once at start, kept across reloads) when there is one. Its
     * notifications go through a {@link #submission} of its own, which nobody closes: for tools and
     * tests; the daemon passes the one it closes at the next reload.
     */
    public static DirectPolicy policy(MilterConfig config, AnchorSource anchors, Optional<DirectPolicy> previous,
                                      Optional<Pkcs11KeyStore> token, Optional<TrackingStore> store) {
        return policy(config, anchors, previous, token, store, submission(config));
    }

    /**
     * The daemon's policy as {@link #policy(MilterConfig, AnchorSource, Optional, Optional, Optional)}
     * makes it, handing MDNs and failure DSNs to {@code submission} (made by {@link #submission} from the
     * same configuration; the caller closes it when this policy is replaced).
     */
    public static DirectPolicy policy(MilterConfig config, AnchorSource anchors, Optional<DirectPolicy> previous,
                                      Optional<Pkcs11KeyStore> token, Optional<TrackingStore> store,
                                      Submission submission) {
        ResolverSettings resolver = resolverSettings(config);
        CertificateDiscovery discovery = previous.filter(p -> p.resolverSettings().equals(resolver))
                .map(DirectPolicy::discovery).orElseGet(() -> CertificateDiscovery.create(resolver, MetricsListener.INSTANCE));
        return new DirectPolicy(policySettings(config), keyStore(config, token),
                new TrustValidator(anchors, trustSettings(config), MetricsListener.INSTANCE), resolver, discovery,
                new Protector(protectOptions(config)), new Unprotector(unprotectOptions(config)),
                config.get(ConfigKeys.SPOOL_THRESHOLD), config.get(ConfigKeys.TEMPORARY_DIRECTORY),
                notifier(config, submission, previous.map(p -> p.notifier().earlierAttempts())
                        .orElseGet(() -> new EarlierAttempts(Clock.systemUTC()))),
                store.map(s -> tracker(config, s, submission)).orElseGet(Tracker::off));
    }

    /** The tracker around {@code store}: the deadlines, T6's choice, failure DSNs through {@code submission}. */
    public static Tracker tracker(MilterConfig c, TrackingStore store, Submission submission) {
        return new Tracker(store, new Tracker.Settings(c.get(ConfigKeys.TRACKING_PROCESSED_TIMEOUT),
                c.get(ConfigKeys.TRACKING_DISPATCHED_TIMEOUT), c.get(ConfigKeys.TRACKING_DELIVER_PROCESSED)),
                submission, Clock.systemUTC());
    }

    /** The MDN sender: each notification handed to {@code submission}, or none with Notifications no. */
    public static Notifier notifier(MilterConfig c, Submission submission) {
        return notifier(c, submission, new EarlierAttempts(Clock.systemUTC()));
    }

    private static Notifier notifier(MilterConfig c, Submission submission, EarlierAttempts earlier) {
        if (!c.get(ConfigKeys.NOTIFICATIONS)) {
            return Notifier.disabled();
        }
        return new Notifier(true, submission, Clock.systemUTC(), earlier);
    }

    /**
     * How MDNs and tracking's failure DSNs reach the MTA: SMTP to NotificationServer over kept
     * connections when it is set, else NotificationCommand run for each; NotificationTimeout bounds
     * either. Nothing is opened until the first submission; the caller closes it when done with it.
     */
    public static Submission submission(MilterConfig c) {
        Duration timeout = c.get(ConfigKeys.NOTIFICATION_TIMEOUT);
        Optional<HostPort> server = c.get(ConfigKeys.NOTIFICATION_SERVER);
        if (server.isPresent()) {
            return new SmtpSubmission(server.get().socketAddress(), timeout, SmtpSubmission.KEEP_IDLE);
        }
        return new CommandSubmission(c.get(ConfigKeys.NOTIFICATION_COMMAND), timeout);
    }

    /**
     * The token Pkcs11Library names, opened and logged in; empty when none is configured. Its keys are
     * handles: signing and key unwrapping happen in the token.
     *
     * @throws Pkcs11KeyStore.WrongPinException when the token refuses the PIN: the daemon must not start
     *         (retrying would lock the PIN)
     * @throws KeyStoreException when the module, the slot or the PIN file cannot be used
     */
    public static Optional<Pkcs11KeyStore> openToken(MilterConfig c)
            throws KeyStoreException, Pkcs11KeyStore.WrongPinException {
        Optional<Path> library = c.get(ConfigKeys.PKCS11_LIBRARY);
        if (library.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Pkcs11KeyStore.open(new Pkcs11KeyStore.Settings(library.get(),
                c.get(ConfigKeys.PKCS11_SLOT).orElse(-1L), c.get(ConfigKeys.PKCS11_PIN_FILE))));
    }

    /** The token's keys first (while keys move into it), then the KeyStore directory's. */
    public static PrivateKeyStore keyStore(MilterConfig c, Optional<Pkcs11KeyStore> token) {
        Pkcs12DirectoryKeyStore files = new Pkcs12DirectoryKeyStore(c.get(ConfigKeys.KEY_STORE));
        return token.<PrivateKeyStore>map(t -> new CompositeKeyStore(List.of(t, files))).orElse(files);
    }

    static PolicySettings policySettings(MilterConfig c) {
        return new PolicySettings(Set.copyOf(c.get(ConfigKeys.DOMAINS)), c.get(ConfigKeys.INTERNAL_HOSTS),
                Set.copyOf(c.get(ConfigKeys.SUBMISSION_DAEMONS)), c.get(ConfigKeys.PROTECT_LOCAL),
                c.get(ConfigKeys.ROUTING_CHECKS),
                new PolicySettings.FailureActions(c.get(ConfigKeys.ON_DNS_ERROR), c.get(ConfigKeys.ON_NO_CERTIFICATE),
                        c.get(ConfigKeys.ON_UNTRUSTED), c.get(ConfigKeys.ON_UNPROTECTED),
                        c.get(ConfigKeys.ON_NO_SENDER_KEY), c.get(ConfigKeys.ON_INTERNAL_ERROR),
                        c.get(ConfigKeys.ON_NON_DIRECT)),
                c.get(ConfigKeys.INCOMING_ENVELOPE_SENDER));
    }

    static ServerSettings serverSettings(MilterConfig c) {
        return new ServerSettings(c.get(ConfigKeys.MAX_CONNECTIONS), c.get(ConfigKeys.IDLE_TIMEOUT),
                c.get(ConfigKeys.READ_TIMEOUT), c.get(ConfigKeys.SOCKET_MODE).permissions(),
                c.get(ConfigKeys.SOCKET_GROUP));
    }

    static SessionSettings sessionSettings(MilterConfig c) {
        return new SessionSettings(Math.toIntExact(c.get(ConfigKeys.MAX_FRAME_SIZE)),
                c.get(ConfigKeys.SPOOL_THRESHOLD), c.get(ConfigKeys.TEMPORARY_DIRECTORY),
                c.get(ConfigKeys.PROGRESS_INTERVAL), c.get(ConfigKeys.END_OF_MESSAGE_TIMEOUT),
                c.get(ConfigKeys.WORKERS)).withLimits(new MessageLimits(c.get(ConfigKeys.MAX_RECIPIENTS),
                c.get(ConfigKeys.MAX_HEADER_FIELDS), c.get(ConfigKeys.MAX_HEADER_BYTES),
                c.get(ConfigKeys.MESSAGE_MEMORY)));
    }

    /** Certificate discovery: nameservers, timeouts, owner names, the cache, CertificateDir and LDAP. */
    public static ResolverSettings resolverSettings(MilterConfig c) {
        CacheSettings cache = new CacheSettings(c.get(ConfigKeys.DISCOVERY_CACHE_SIZE),
                c.get(ConfigKeys.DISCOVERY_CACHE_MIN_TTL), c.get(ConfigKeys.DISCOVERY_CACHE_MAX_TTL),
                c.get(ConfigKeys.DISCOVERY_CACHE_NEGATIVE_MIN_TTL), c.get(ConfigKeys.DISCOVERY_CACHE_NEGATIVE_MAX_TTL),
                c.get(ConfigKeys.DISCOVERY_CACHE_FAILURE_TTL));
        return new ResolverSettings(c.get(ConfigKeys.NAMESERVERS).stream().map(HostPort::socketAddress).toList(),
                c.get(ConfigKeys.DNS_TIMEOUT), c.get(ConfigKeys.DNS_ATTEMPTS), c.get(ConfigKeys.DNS_BUFFER_SIZE),
                c.get(ConfigKeys.OWNER_NAMES), c.get(ConfigKeys.CERT_URL_TIMEOUT), c.get(ConfigKeys.CERT_URL_MAX_SIZE),
                c.get(ConfigKeys.CERT_TYPE_253_IS_URL), cache, Optional.of(c.get(ConfigKeys.CERTIFICATE_DIR)),
                new LdapSettings(c.get(ConfigKeys.LDAP_DISCOVERY), c.get(ConfigKeys.LDAP_TIMEOUT),
                        c.get(ConfigKeys.LDAP_CACHE_TTL), c.get(ConfigKeys.LDAP_NEGATIVE_CACHE_TTL),
                        LdapSettings.DEFAULTS.maxEntries()));
    }

    /** Discovery as every key's default sets it, for commands run without a configuration file. */
    public static ResolverSettings defaultResolverSettings() {
        return ResolverSettings.defaults(List.of())
                .withCertificateDirectory(Optional.of(ConfigKeys.CERTIFICATE_DIR.defaultValue()));
    }

    /** The validator's fetch limits, allowed hosts and revocation policy. */
    public static TrustSettings trustSettings(MilterConfig c) {
        UnknownRevocation unknown = switch (c.get(ConfigKeys.ON_REVOCATION_UNKNOWN)) {
            case ACCEPT -> UnknownRevocation.ACCEPT;
            case REJECT -> UnknownRevocation.REJECT;
            default -> UnknownRevocation.TEMPFAIL;
        };
        TrustSettings defaults = TrustSettings.defaults();
        ValidationBudget.Limits perMessage = new ValidationBudget.Limits(defaults.perMessage().certificates(),
                c.get(ConfigKeys.FETCH_LIMIT), c.get(ConfigKeys.FETCH_BUDGET));
        return new TrustSettings(c.get(ConfigKeys.FETCH_TIMEOUT), perMessage,
                c.get(ConfigKeys.FETCH_MAX_SIZE), Set.copyOf(c.get(ConfigKeys.FETCH_HOSTS)), unknown,
                c.get(ConfigKeys.CRL_GRACE), defaults.failureCacheTime(), defaults.maxCacheTime());
    }

    /** The bundle files under BundleDir, read with BundleRefresh as the default interval. */
    public static BundleFiles.Loaded bundleFiles(MilterConfig c) {
        return BundleFiles.read(c.get(ConfigKeys.BUNDLE_DIR), c.get(ConfigKeys.BUNDLE_REFRESH));
    }

    /**
     * The trust bundles {@code bundles} with their fetcher (BundleTrustStore, BundleTimeout, BundleMaxSize)
     * and state directory; nothing is read or fetched yet.
     *
     * @throws IOException              BundleTrustStore cannot be read
     * @throws GeneralSecurityException BundleTrustStore holds no usable certificate
     */
    public static TrustBundles trustBundles(MilterConfig c, List<BundleSpec> bundles)
            throws IOException, GeneralSecurityException {
        BundleFetcher fetcher = BundleFetcher.create(c.get(ConfigKeys.BUNDLE_TRUST_STORE), c.get(ConfigKeys.BUNDLE_TIMEOUT),
                c.get(ConfigKeys.BUNDLE_MAX_SIZE));
        return new TrustBundles(bundles, fetcher, new BundleStateDir(c.get(ConfigKeys.BUNDLE_STATE_DIR)),
                Clock.systemUTC(), c.get(ConfigKeys.BUNDLE_STALE_AFTER));
    }

    public static ProtectOptions protectOptions(MilterConfig c) {
        return new ProtectOptions(c.get(ConfigKeys.CONTENT_CIPHER), c.get(ConfigKeys.KEY_TRANSPORT));
    }

    public static UnprotectOptions unprotectOptions(MilterConfig c) {
        return new UnprotectOptions(c.get(ConfigKeys.ALLOW_TRIPLE_DES), c.get(ConfigKeys.SPOOL_THRESHOLD),
                c.get(ConfigKeys.TEMPORARY_DIRECTORY));
    }
}
