package org.directmilter.milter.config;

import static org.directmilter.milter.config.ConfigKey.Applies.ON_RELOAD;
import static org.directmilter.milter.config.ConfigKey.Applies.ON_RESTART;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.directmilter.crypto.smime.ContentCipher;
import org.directmilter.crypto.smime.KeyTransport;
import org.directmilter.milter.server.SocketSpec;
import org.directmilter.resolver.OwnerNameMode;

/**
 * Every key the configuration file knows, in the order the documentation lists them.
 *
 * <p>Adding a key is one declaration here: name, value type, default, when it applies, one line of
 * documentation. The loader, {@code check}, reload logging and the sample-file test pick it up; the
 * shipped {@code etc/direct-milter.conf} must then describe it (a test insists).
 */
public final class ConfigKeys {

    // Declared before the keys: static initialisers run in order and define() appends to it.
    private static final List<ConfigKey<?>> ALL = new ArrayList<>();

    private static final ValueType<SocketSpec> SOCKET_SPEC = ValueType.of("socket", SocketSpec::parse, SocketSpec::toString);

    // ---- the socket and the process ----

    public static final ConfigKey<SocketSpec> SOCKET = define("Socket", SOCKET_SPEC, "inet:8891@127.0.0.1",
            ON_RESTART,
            "where the MTA connects: `inet:PORT@HOST`, `inet6:PORT@[ADDR]`, `local:/PATH` (= "
                    + "`unix:/PATH`)");

    public static final ConfigKey<FileMode> SOCKET_MODE = define("SocketMode", ValueTypes.FILE_MODE, "0660",
            ON_RESTART,
            "permissions of a `local:` socket, set after it is bound (rwx bits only, "
                    + "`000`–`777`)");

    public static final ConfigKey<Optional<String>> SOCKET_GROUP = defineUnset("SocketGroup",
            ValueTypes.GROUP_NAME, ON_RESTART,
            "group of a `local:` socket, so the MTA can connect (`postfix`); unset: the "
                    + "daemon's own group");

    public static final ConfigKey<Integer> MAX_CONNECTIONS = define("MaxConnections",
            ValueTypes.intRange(1, 100_000), "256", ON_RESTART,
            "MTA connections served at once; one more is closed at once and the MTA applies "
                    + "its default action");

    public static final ConfigKey<Duration> IDLE_TIMEOUT = define("IdleTimeout", ValueTypes.DURATION, "600s",
            ON_RESTART,
            "how long a connection may stay silent between messages before it is closed");

    public static final ConfigKey<Duration> READ_TIMEOUT = define("ReadTimeout", ValueTypes.DURATION, "300s",
            ON_RESTART,
            "how long the MTA may stay silent in the middle of a message before the "
                    + "connection is closed");

    public static final ConfigKey<Integer> WORKERS = defineComputed("Workers", ValueTypes.intRange(1, 4096),
            "number of CPUs", () -> Runtime.getRuntime().availableProcessors(), ON_RESTART,
            "threads doing end-of-message work (signing, encryption, decryption) for all "
                    + "connections");

    public static final ConfigKey<Duration> PROGRESS_INTERVAL = define("ProgressInterval", ValueTypes.DURATION,
            "10s", ON_RESTART,
            "how often the MTA is told that end-of-message work is still in progress");

    public static final ConfigKey<Duration> END_OF_MESSAGE_TIMEOUT = define("EndOfMessageTimeout",
            ValueTypes.DURATION, "240s", ON_RESTART,
            "longest end-of-message work; then the message gets `451 4.3.0`");

    public static final ConfigKey<Long> SPOOL_THRESHOLD = define("SpoolThreshold",
            ValueTypes.size(0, 1L << 40), "1M", ON_RESTART,
            "bodies larger than this go to a private temporary file instead of memory");

    public static final ConfigKey<Path> TEMPORARY_DIRECTORY = defineComputed("TemporaryDirectory",
            ValueTypes.ABSOLUTE_PATH, "java.io.tmpdir", () -> Path.of(System.getProperty("java.io.tmpdir")),
            ON_RESTART,
            "where spooled bodies go (files 0600, deleted after the message)");

    public static final ConfigKey<Long> MAX_FRAME_SIZE = define("MaxFrameSize",
            ValueTypes.size(64 * 1024, 1L << 30), "1M", ON_RESTART,
            "largest milter packet accepted from the MTA; larger is a protocol error that "
                    + "closes the connection");

    // ---- Direct policy ----

    public static final ConfigKey<List<String>> DOMAINS = defineEmpty("Domains", ValueTypes.DOMAIN_LIST,
            ON_RELOAD,
            "the local Direct domains; required: the daemon refuses to start without one");

    public static final ConfigKey<Path> KEY_STORE = define("KeyStore", ValueTypes.ABSOLUTE_PATH,
            "/etc/direct-milter/keys", ON_RELOAD,
            "private keys: `<address>.p12` or `<domain>.p12`, password in `<address>.pass` "
                    + "beside it, else in the directory's `password` file");

    public static final ConfigKey<Path> ANCHOR_DIR = define("AnchorDir", ValueTypes.ABSOLUTE_PATH,
            "/etc/direct-milter/anchors", ON_RELOAD,
            "trust anchors: `<domain>/incoming/`, `<domain>/outgoing/`, and "
                    + "`all-domains/incoming/` and `all-domains/outgoing/`");

    public static final ConfigKey<Path> CERTIFICATE_DIR = define("CertificateDir", ValueTypes.ABSOLUTE_PATH,
            "/etc/direct-milter/certs", ON_RELOAD,
            "partners' public certificates placed by the operator: `<address>.pem` or "
                    + "`<domain>.pem`");

    public static final ConfigKey<List<HostPort>> NAMESERVERS = defineEmpty("Nameservers",
            ValueTypes.HOST_PORT_LIST, ON_RELOAD,
            "DNS servers for certificate discovery (`[IPv6]:PORT` for IPv6); none: the system "
                    + "resolver");

    public static final ConfigKey<Duration> DNS_TIMEOUT = define("DNSTimeout", ValueTypes.DURATION, "2s",
            ON_RELOAD,
            "how long one DNS question may take (over UDP, or over TCP after a truncated "
                    + "answer)");

    public static final ConfigKey<Integer> DNS_ATTEMPTS = define("DNSAttempts", ValueTypes.intRange(1, 10), "2",
            ON_RELOAD,
            "rounds over all nameservers before discovery reports a temporary failure");

    public static final ConfigKey<Integer> DNS_BUFFER_SIZE = define("DNSBufferSize", ValueTypes.intRange(0, 65_535),
            "1232", ON_RELOAD,
            "EDNS0 UDP payload size advertised; 0 sends no EDNS0; larger answers come over "
                    + "TCP");

    public static final ConfigKey<OwnerNameMode> OWNER_NAMES = define("OwnerNames",
            ValueType.of(choices(OwnerNameMode.values(), m -> m.name().toLowerCase(Locale.ROOT)), OwnerNameMode::parse, m -> m.name().toLowerCase(Locale.ROOT)), "both", ON_RELOAD,
            "owner names tried for address-bound CERT records");

    public static final ConfigKey<Duration> CERT_URL_TIMEOUT = define("CertURLTimeout", ValueTypes.DURATION, "5s",
            ON_RELOAD,
            "connect and read timeout for a certificate fetched from an IPKIX URL");

    public static final ConfigKey<Long> CERT_URL_MAX_SIZE = define("CertURLMaxSize", ValueTypes.size(1024, 1L << 24),
            "64K", ON_RELOAD,
            "largest certificate object fetched from an IPKIX URL");

    public static final ConfigKey<Boolean> CERT_TYPE_253_IS_URL = define("CertType253IsURL", ValueTypes.BOOLEAN, "no",
            ON_RELOAD,
            "treat CERT records of type 253 like IPKIX (a URL), as the Direct reference "
                    + "implementation publishes them");

    public static final ConfigKey<Integer> DISCOVERY_CACHE_SIZE = define("DiscoveryCacheSize",
            ValueTypes.intRange(0, 10_000_000), "10000", ON_RESTART,
            "owner names whose answers the discovery cache keeps");

    public static final ConfigKey<Duration> DISCOVERY_CACHE_MIN_TTL = define("DiscoveryCacheMinTTL",
            ValueTypes.DURATION, "60s", ON_RESTART,
            "certificates found are cached for their DNS TTL, but at least this long");

    public static final ConfigKey<Duration> DISCOVERY_CACHE_MAX_TTL = define("DiscoveryCacheMaxTTL",
            ValueTypes.DURATION, "24h", ON_RESTART,
            "… and at most this long");

    public static final ConfigKey<Duration> DISCOVERY_CACHE_NEGATIVE_MIN_TTL = define("DiscoveryCacheNegativeMinTTL",
            ValueTypes.DURATION, "60s", ON_RESTART,
            "\"nothing published\" (NXDOMAIN, NODATA) is cached for the zone's SOA minimum, but "
                    + "at least this long");

    public static final ConfigKey<Duration> DISCOVERY_CACHE_NEGATIVE_MAX_TTL = define("DiscoveryCacheNegativeMaxTTL",
            ValueTypes.DURATION, "1h", ON_RESTART,
            "… and at most this long");

    public static final ConfigKey<Duration> DISCOVERY_CACHE_FAILURE_TTL = define("DiscoveryCacheFailureTTL",
            ValueTypes.DURATION, "5s", ON_RESTART,
            "how long a DNS failure is remembered before the servers are asked again");

    public static final ConfigKey<List<Cidr>> INTERNAL_HOSTS = define("InternalHosts", ValueTypes.CIDR_LIST,
            "127.0.0.1/8, ::1", ON_RELOAD,
            "clients whose mail from a local domain is outgoing");

    public static final ConfigKey<List<String>> SUBMISSION_DAEMONS = defineEmpty("SubmissionDaemons",
            ValueTypes.NAME_LIST, ON_RELOAD,
            "`{daemon_name}` values whose mail from a local domain is outgoing");

    public static final ConfigKey<Boolean> PROTECT_LOCAL = define("ProtectLocal", ValueTypes.BOOLEAN, "yes",
            ON_RELOAD,
            "mail from a local Direct domain to a local Direct domain is protected like other "
                    + "outgoing mail; `no`: delivered as is");

    public static final ConfigKey<Boolean> ROUTING_CHECKS = define("RoutingChecks", ValueTypes.BOOLEAN, "yes",
            ON_RELOAD,
            "Direct 1.3 routing rules, both ways: MAIL FROM must be the (inner) From or Sender; each "
                    + "RCPT must be in the (inner) To or Cc");

    public static final ConfigKey<Duration> ANCHOR_CHECK_INTERVAL = define("AnchorCheckInterval",
            ValueTypes.DURATION, "10s", ON_RESTART,
            "how often `AnchorDir` is checked for anchors added, changed or removed");

    // ---- what to do when something goes wrong (OpenDKIM style; the defaults fail closed) ----

    public static final ConfigKey<FailureAction> ON_DNS_ERROR = define("On-DNSError",
            ValueTypes.failureAction(FailureAction.TEMPFAIL, FailureAction.REJECT), "tempfail", ON_RELOAD,
            "a recipient's certificates cannot be looked up (DNS timeout, SERVFAIL, no server "
                    + "answers)");

    public static final ConfigKey<FailureAction> ON_NO_CERTIFICATE = define("On-NoCertificate",
            ValueTypes.failureAction(FailureAction.REJECT, FailureAction.TEMPFAIL), "reject", ON_RELOAD,
            "an outgoing recipient publishes no certificate at all");

    public static final ConfigKey<FailureAction> ON_UNTRUSTED = define("On-Untrusted",
            ValueTypes.failureAction(FailureAction.REJECT, FailureAction.TEMPFAIL, FailureAction.QUARANTINE),
            "reject", ON_RELOAD,
            "an outgoing recipient's certificates are all invalid or untrusted, or an "
                    + "incoming signer is trusted by no recipient's domain");

    public static final ConfigKey<FailureAction> ON_UNPROTECTED = define("On-Unprotected",
            ValueTypes.failureAction(FailureAction.REJECT, FailureAction.TEMPFAIL, FailureAction.QUARANTINE,
                    FailureAction.ACCEPT), "reject", ON_RELOAD,
            "incoming mail for a Direct domain that is not encrypted and signed");

    public static final ConfigKey<FailureAction> ON_NO_SENDER_KEY = define("On-NoSenderKey",
            ValueTypes.failureAction(FailureAction.REJECT, FailureAction.TEMPFAIL), "reject", ON_RELOAD,
            "an outgoing sender has no private key in `KeyStore` (answered at MAIL FROM)");

    public static final ConfigKey<FailureAction> ON_INTERNAL_ERROR = define("On-InternalError",
            ValueTypes.failureAction(FailureAction.TEMPFAIL, FailureAction.REJECT, FailureAction.QUARANTINE),
            "tempfail", ON_RELOAD,
            "an unreadable key store, or any other internal error");

    public static final ConfigKey<FailureAction> ON_NON_DIRECT = define("On-NonDirect",
            ValueTypes.failureAction(FailureAction.ACCEPT, FailureAction.REJECT), "accept", ON_RELOAD,
            "mail neither from nor to a local Direct domain: `accept` passes it untouched");

    // ---- S/MIME algorithms ----

    public static final ConfigKey<ContentCipher> CONTENT_CIPHER = define("ContentCipher",
            ValueType.of(choices(ContentCipher.values(), ContentCipher::label), ContentCipher::fromLabel, ContentCipher::label), "AES-256-CBC", ON_RELOAD,
            "content encryption of outgoing mail");

    public static final ConfigKey<KeyTransport> KEY_TRANSPORT = define("KeyTransport",
            ValueType.of(choices(KeyTransport.values(), KeyTransport::label), KeyTransport::fromLabel, KeyTransport::label), "rsa-pkcs1", ON_RELOAD,
            "RSA key transport of outgoing mail (`rsa-oaep` uses SHA-1 and is readable by "
                    + "nhind)");

    public static final ConfigKey<Boolean> ALLOW_TRIPLE_DES = define("AllowTripleDES", ValueTypes.BOOLEAN, "no",
            ON_RELOAD,
            "accept incoming mail encrypted with 3DES");

    public static final ConfigKey<Boolean> NATIVE_CRYPTO = define("NativeCrypto", ValueTypes.BOOLEAN, "no", ON_RESTART,
            "`yes`: Amazon Corretto Crypto Provider (AWS-LC native code, Linux x86_64) becomes the first JCA "
                    + "provider at start, so RSA, AES, SHA-256 and HMAC run natively; when it cannot load, a warning "
                    + "and the JDK's providers. `no`: the JDK's providers only");

    // ---- trust: revocation and fetching (CRLs, AIA issuers) ----

    public static final ConfigKey<FailureAction> ON_REVOCATION_UNKNOWN = define("On-RevocationUnknown",
            ValueTypes.failureAction(FailureAction.TEMPFAIL, FailureAction.REJECT, FailureAction.ACCEPT), "tempfail",
            ON_RELOAD,
            "when no current CRL can be had: `tempfail` answers `451 4.7.1` so the sender retries; `reject` "
                    + "treats the certificate as untrusted; `accept` keeps it usable with a warning (fails open: "
                    + "`check` and the start-up log say so)");

    public static final ConfigKey<Duration> CRL_GRACE = define("CrlGrace", ValueTypes.DURATION, "6h", ON_RELOAD,
            "how long past its nextUpdate a CRL already held still counts while no newer one can be fetched");

    public static final ConfigKey<Duration> FETCH_TIMEOUT = define("FetchTimeout", ValueTypes.DURATION, "5s",
            ON_RELOAD,
            "longest single HTTP fetch of a CRL or of an issuer certificate named by AIA");

    public static final ConfigKey<Duration> FETCH_BUDGET = define("FetchBudget", ValueTypes.DURATION, "10s",
            ON_RELOAD,
            "longest time all fetches for one message (all its signers, or all of a recipient's certificates) "
                    + "may take together");

    public static final ConfigKey<Integer> FETCH_LIMIT = define("FetchLimit", ValueTypes.intRange(1, 100), "10",
            ON_RELOAD, "most CRL and AIA fetches one message may cause");

    public static final ConfigKey<Long> FETCH_MAX_SIZE = define("FetchMaxSize", ValueTypes.size(1024, 1L << 30),
            "4M", ON_RELOAD,
            "largest CRL or AIA answer accepted");

    public static final ConfigKey<List<String>> FETCH_HOSTS = defineEmpty("FetchHosts", ValueTypes.DOMAIN_LIST,
            ON_RELOAD,
            "hosts CRLs and AIA certificates may be fetched from (`http:` URLs only); none: any host for CRLs, "
                    + "and for AIA only the hosts the domain's anchors name");

    // ---- Message limits (session: what one message and all connections may make the daemon hold) ----

    public static final ConfigKey<Integer> MAX_RECIPIENTS = define("MaxRecipients", ValueTypes.intRange(1, 100_000),
            "1000", ON_RESTART,
            "RCPT commands per message; each further one is answered `452 4.5.3 too many "
                    + "recipients` (MTAs send those recipients in a later transaction)");

    public static final ConfigKey<Integer> MAX_HEADER_FIELDS = define("MaxHeaderFields",
            ValueTypes.intRange(1, 100_000), "1000", ON_RESTART,
            "header fields per message; a message with more is refused with `552 5.3.4 "
                    + "message header too large: too many header fields`");

    public static final ConfigKey<Long> MAX_HEADER_BYTES = define("MaxHeaderBytes", ValueTypes.size(1024, 1L << 30),
            "256K", ON_RESTART,
            "bytes of all header fields of a message together (names and values); a message "
                    + "with more is refused with `552 5.3.4 message header too large`");

    public static final ConfigKey<Long> MESSAGE_MEMORY = define("MessageMemory", ValueTypes.size(1L << 20, 1L << 40),
            "64M", ON_RESTART,
            "heap that milter packets being read and bodies below `SpoolThreshold` may take "
                    + "across all connections; beyond it a body goes to its private file early, and a "
                    + "packet that does not fit closes its connection (the MTA applies its "
                    + "`milter_default_action`)");

    // ---- side doors (issue 20): where the MTA's notices about decrypted mail may go ----

    public static final ConfigKey<String> INCOMING_ENVELOPE_SENDER = define("IncomingEnvelopeSender",
            ValueType.of("`<>` or address", ConfigKeys::parseEnvelopeSender,
                    sender -> sender.isEmpty() ? "<>" : sender), "<>", ON_RELOAD,
            "envelope sender verified incoming mail is handed on with, so that no bounce or DSN returns "
                    + "decrypted mail to its sender: `<>`, none is ever sent; an address (one the MTA "
                    + "delivers locally), every such notice goes there instead");

    // ---- certificate discovery in LDAP (issue 15) ----

    public static final ConfigKey<Boolean> LDAP_DISCOVERY = define("LDAPDiscovery", ValueTypes.BOOLEAN, "yes",
            ON_RELOAD,
            "when DNS publishes no CERT record for a recipient or its domain, look for certificates "
                    + "in the LDAP servers named by the domain's `_ldap._tcp` SRV records");

    public static final ConfigKey<Duration> LDAP_TIMEOUT = define("LDAPTimeout", ValueTypes.DURATION, "5s",
            ON_RELOAD,
            "how long connecting to one LDAP server, and each of its answers, may take before the next "
                    + "server is tried; the search's time limit");

    public static final ConfigKey<Duration> LDAP_CACHE_TTL = define("LDAPCacheTTL", ValueTypes.DURATION, "1h",
            ON_RELOAD,
            "how long certificates found in LDAP are cached (LDAP answers carry no TTL); kept within "
                    + "DiscoveryCacheMinTTL and DiscoveryCacheMaxTTL");

    public static final ConfigKey<Duration> LDAP_NEGATIVE_CACHE_TTL = define("LDAPNegativeCacheTTL",
            ValueTypes.DURATION, "1m", ON_RELOAD,
            "how long \"nothing in LDAP\" (no SRV record, no entry) is cached; kept within "
                    + "DiscoveryCacheNegativeMinTTL and DiscoveryCacheNegativeMaxTTL");

    // ---- trust bundles (one <name>.conf per bundle under BundleDir; see trust-anchors.md) ----

    public static final ConfigKey<Path> BUNDLE_DIR = define("BundleDir", ValueTypes.ABSOLUTE_PATH,
            "/etc/direct-milter/bundles.d", ON_RESTART,
            "trust bundles subscribed to: one `NAME.conf` each (URL, Domains, Directions, Signer, Refresh); "
                    + "no directory: no bundles");

    public static final ConfigKey<Path> BUNDLE_STATE_DIR = define("BundleStateDir", ValueTypes.ABSOLUTE_PATH,
            "/var/lib/direct-milter/bundles", ON_RESTART,
            "where the last good copy of each bundle is kept, so a restart works without the network");

    public static final ConfigKey<Optional<Path>> BUNDLE_TRUST_STORE = defineUnset("BundleTrustStore",
            ValueTypes.ABSOLUTE_PATH, ON_RESTART,
            "PEM file of the CA certificates an `https:` bundle server must chain to; unset: the JDK's trust store");

    public static final ConfigKey<Duration> BUNDLE_REFRESH = define("BundleRefresh", ValueTypes.DURATION, "6h",
            ON_RESTART, "how often a bundle is fetched again when its file sets no Refresh (plus up to 10% jitter)");

    public static final ConfigKey<Duration> BUNDLE_TIMEOUT = define("BundleTimeout", ValueTypes.DURATION, "60s",
            ON_RESTART, "longest one bundle fetch may take: connect, answer and body together");

    public static final ConfigKey<Long> BUNDLE_MAX_SIZE = define("BundleMaxSize", ValueTypes.size(64 * 1024, 1L << 30),
            "8M", ON_RESTART, "largest bundle accepted (K, M, G)");

    public static final ConfigKey<Duration> BUNDLE_STALE_AFTER = define("BundleStaleAfter", ValueTypes.DURATION,
            "72h", ON_RESTART, "a bundle whose copy in force is older than this is logged at WARN on every attempt");

    // --- notifications (issue 13): MDNs about verified incoming mail, handed to the local MTA ---

    public static final ConfigKey<Boolean> NOTIFICATIONS = define("Notifications", ValueTypes.BOOLEAN, "yes",
            ON_RELOAD, "send a `processed` MDN for every verified incoming message and recipient; `no` sends none "
                    + "(a Direct HISP must send them)");

    public static final ConfigKey<List<String>> NOTIFICATION_COMMAND = define("NotificationCommand",
            ValueType.of("command line", ConfigKeys::parseCommand, words -> String.join(" ", words)),
            "/usr/sbin/sendmail -i -t -f <>", ON_RELOAD, "the command an MDN is piped to: its absolute path, then "
                    + "arguments split at white space, no shell. It must read the recipients from `To:` (`-t`), give "
                    + "the null envelope sender (`-f <>`) and return once the MTA has queued the message");

    public static final ConfigKey<Optional<HostPort>> NOTIFICATION_SERVER = defineUnset("NotificationServer",
            ValueType.of("loopback IP:PORT", ConfigKeys::parseNotificationServer, HostPort::toString), ON_RELOAD,
            "hand MDNs to this SMTP listener of the local MTA over kept connections instead of running "
                    + "`NotificationCommand`: a loopback address and port, e.g. `127.0.0.1:10027`, whose smtpd runs "
                    + "direct-milter as its milter; unset: `NotificationCommand`");

    public static final ConfigKey<Duration> NOTIFICATION_TIMEOUT = define("NotificationTimeout", ValueTypes.DURATION,
            "30s", ON_RELOAD, "longest time `NotificationCommand`, or one submission to `NotificationServer`, may take; "
                    + "a hand-off that fails or takes longer tempfails the incoming message (`451 4.3.0`)");

    // ---- private keys in a PKCS#11 token (HSM): the pkcs11 area ----

    public static final ConfigKey<Optional<Path>> PKCS11_LIBRARY = defineUnset("Pkcs11Library",
            ValueTypes.ABSOLUTE_PATH, ON_RESTART,
            "the PKCS#11 module (shared library) of the token holding private keys, e.g. "
                    + "`/usr/lib/softhsm/libsofthsm2.so`; unset: no token, keys from `KeyStore` only. "
                    + "Keys in the token are used first, then those in `KeyStore`");

    public static final ConfigKey<Optional<Long>> PKCS11_SLOT = defineUnset("Pkcs11Slot",
            ValueType.of("slot id 0–4294967295", text -> {
                if (!text.matches("\\d{1,10}") || Long.parseLong(text) > 0xFFFF_FFFFL) {
                    throw new IllegalArgumentException("\"" + text + "\" is not a PKCS#11 slot id (0–4294967295)");
                }
                return Long.parseLong(text);
            }, String::valueOf), ON_RESTART,
            "the token's slot id as the module numbers it (`softhsm2-util --show-slots`, "
                    + "`pkcs11-tool -L`); unset: the first slot the module lists");

    public static final ConfigKey<Path> PKCS11_PIN_FILE = define("Pkcs11PinFile", ValueTypes.ABSOLUTE_PATH,
            "/etc/direct-milter/pkcs11.pin", ON_RESTART,
            "file whose first line is the token's user PIN; refused when others may read it, as key "
                    + "password files are. A PIN the token refuses stops the daemon from starting");

    // ---- operating it (issue 21): expiry warnings ----

    public static final ConfigKey<Integer> EXPIRY_WARNING_DAYS = define("ExpiryWarningDays",
            ValueTypes.intRange(0, 3650), "30", ON_RELOAD,
            "days before its end that a certificate of our own (a key in `KeyStore`) or a trust anchor is "
                    + "warned about: at start, at reload, daily, and by `check`; expired ones always are");

    public static final ConfigKey<Boolean> FLUSH_CACHE_ON_RELOAD = define("FlushCacheOnReload", ValueTypes.BOOLEAN,
            "yes", ON_RELOAD,
            "a reload (`systemctl reload`, SIGUSR2; SIGHUP in the foreground) empties the discovery cache, "
                    + "so certificates a partner just fixed in DNS or LDAP are looked up again at once; `no` "
                    + "keeps it unless the discovery settings changed");

    public static final ConfigKey<Optional<HostPort>> METRICS_ADDRESS = defineUnset("MetricsAddress",
            ValueType.of("loopback IP:PORT", ConfigKeys::parseMetricsAddress, HostPort::toString), ON_RESTART,
            "where `/metrics` is served in the Prometheus text format (decisions and replies, latencies, discovery, "
                    + "trust, connections, spool, certificate expiry): a loopback address and port, e.g. "
                    + "`127.0.0.1:9466`; unset: no endpoint");

    // ---- the tracking store (issue 14): the track-store area ----

    public static final ConfigKey<String> TRACKING_DATABASE = define("TrackingDatabase",
            ValueType.of("path or jdbc:postgresql:// URL", ConfigKeys::parseTrackingDatabase, text -> text),
            "/var/lib/direct-milter/tracking.db", ON_RESTART,
            "where outgoing messages are tracked to a final outcome per recipient: an SQLite file (absolute "
                    + "path; created at start, its directory must exist), or a PostgreSQL database several nodes "
                    + "share, `jdbc:postgresql://HOST[:PORT]/DATABASE?user=ROLE` (no password in the URL: see "
                    + "`TrackingPasswordFile`)");

    public static final ConfigKey<Optional<Path>> TRACKING_PASSWORD_FILE = defineUnset("TrackingPasswordFile",
            ValueTypes.ABSOLUTE_PATH, ON_RESTART,
            "file whose first line is the PostgreSQL role's password; refused when others may read it, as key "
                    + "password files are; unset: no password (peer, trust or certificate authentication)");

    public static final ConfigKey<Integer> TRACKING_POOL_SIZE = define("TrackingPoolSize", ValueTypes.intRange(1, 64),
            "4", ON_RESTART,
            "the most connections the daemon holds open to the tracking database");

    public static final ConfigKey<Integer> TRACKING_RETENTION_DAYS = define("TrackingRetentionDays",
            ValueTypes.intRange(1, 3650), "30", ON_RESTART,
            "days a tracked message is kept once every recipient is final; then it is purged, and reports "
                    + "still arriving for it are passed on untouched");

    // ---- delivery tracking, sending side (issue 14): the flow ----

    public static final ConfigKey<Boolean> TRACKING = define("Tracking", ValueTypes.BOOLEAN, "yes", ON_RESTART,
            "track every protected outgoing message per recipient until its MDNs or a failure come back, and "
                    + "send the originator a failure DSN when they do not in time (Direct T4, T5); a message "
                    + "that cannot be recorded is tempfailed (`451 4.3.0`)");

    public static final ConfigKey<Duration> TRACKING_PROCESSED_TIMEOUT = define("TrackingProcessedTimeout",
            ValueTypes.DURATION, "1h", ON_RELOAD,
            "how long after sending a recipient's `processed` MDN may take before its originator gets a failure "
                    + "DSN; applies to messages sent after a reload");

    public static final ConfigKey<Duration> TRACKING_DISPATCHED_TIMEOUT = define("TrackingDispatchedTimeout",
            ValueTypes.DURATION, "24h", ON_RELOAD,
            "the same for the `dispatched` MDN of a message that asked for timely and reliable delivery "
                    + "(`X-DIRECT-FINAL-DESTINATION-DELIVERY`)");

    public static final ConfigKey<Duration> TRACKING_INTERVAL = define("TrackingInterval", ValueTypes.DURATION,
            "60s", ON_RESTART, "how often the daemon looks for recipients whose deadline passed; a failure DSN "
                    + "leaves at most this long after the deadline");

    public static final ConfigKey<Boolean> TRACKING_DELIVER_PROCESSED = define("TrackingDeliverProcessed",
            ValueTypes.BOOLEAN, "yes", ON_RELOAD,
            "deliver a trusted `processed` MDN about a tracked message to its originator; `no` discards it once "
                    + "recorded (Direct T6), so the originator hears only of failures and `dispatched`");

    private static final List<ConfigKey<?>> VIEW = Collections.unmodifiableList(ALL);

    private ConfigKeys() {
    }

    /** Every key, in documentation order. */
    public static List<ConfigKey<?>> all() {
        return VIEW;
    }

    /** A key whose default is written in the file's own syntax, so the documented default is the real one. */
    private static <T> ConfigKey<T> define(String name, ValueType<T> type, String defaultText,
                                           ConfigKey.Applies applies, String doc) {
        T value = type.parse(defaultText);
        return register(new ConfigKey<>(name, type, defaultText, () -> value, applies, doc));
    }

    /** A key whose default depends on the host running the daemon. */
    private static <T> ConfigKey<T> defineComputed(String name, ValueType<T> type, String defaultText,
                                                   Supplier<T> defaultValue, ConfigKey.Applies applies, String doc) {
        return register(new ConfigKey<>(name, type, defaultText, defaultValue, applies, doc));
    }

    private static <T> ConfigKey<Optional<T>> defineUnset(String name, ValueType<T> type,
                                                          ConfigKey.Applies applies, String doc) {
        return register(new ConfigKey<>(name, ValueTypes.optional(type), "unset", Optional::empty, applies, doc));
    }

    private static <T> ConfigKey<List<T>> defineEmpty(String name, ValueType<List<T>> type,
                                                      ConfigKey.Applies applies, String doc) {
        return register(new ConfigKey<>(name, type, "none", List::of, applies, doc));
    }

    /** The type of a value that is one of {@code values}: "a|b|c". */
    private static <E> String choices(E[] values, Function<E, String> label) {
        return Stream.of(values).map(label).collect(Collectors.joining("|"));
    }

    /** Loopback only, and the port said: the counters are for this host's scraper, not the network. */
    private static HostPort parseMetricsAddress(String text) {
        return parseLoopback(text, "127.0.0.1:9466", "");
    }

    /** Only loopback: the MDN travels in plaintext to the listener, whose milter pass protects it. */
    private static HostPort parseNotificationServer(String text) {
        return parseLoopback(text, "127.0.0.1:10027", ": an MDN goes to it in plaintext (direct-milter protects it "
                + "in that listener's milter pass), so it must not leave this host");
    }

    /** An IP literal (no host name: nothing to resolve, nothing to spoof) on the loopback, with its port. */
    private static HostPort parseLoopback(String text, String example, String why) {
        HostPort address = HostPort.parse(text);
        if (!text.endsWith(":" + address.port())) {
            throw new IllegalArgumentException("\"" + text + "\" names no port: write IP:PORT, e.g. " + example);
        }
        if (!address.address().isLoopbackAddress()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a loopback address (127.0.0.0/8, [::1])" + why);
        }
        return address;
    }

    /** An absolute path (SQLite) or a PostgreSQL JDBC URL that carries no password. */
    private static String parseTrackingDatabase(String text) {
        if (text.startsWith("jdbc:postgresql://")) {
            if (text.toLowerCase(Locale.ROOT).matches(".*[?&]password=.*")) {
                throw new IllegalArgumentException("a password does not belong in the URL, which logs and "
                        + "`check` show: put it in TrackingPasswordFile");
            }
            return text;
        }
        if (text.contains(":") && !text.startsWith("/")) {
            throw new IllegalArgumentException("\"" + text + "\" is neither an absolute path nor a "
                    + "jdbc:postgresql://HOST/DATABASE URL");
        }
        return ValueTypes.ABSOLUTE_PATH.parse(text).toString();
    }

    /** {@code <>} is the null sender (empty); otherwise local-part@domain, angle brackets optional. */
    private static String parseEnvelopeSender(String text) {
        String address = text.startsWith("<") && text.endsWith(">") ? text.substring(1, text.length() - 1) : text;
        if (address.isEmpty()) {
            return "";
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || address.chars().anyMatch(c -> c <= ' ' || c == '<' || c == '>' || c == ',' || c == '"')) {
            throw new IllegalArgumentException("\"" + text + "\" is neither <> nor an address local-part@domain");
        }
        return address.substring(0, at) + "@" + ValueTypes.DOMAIN_LIST.parse(address.substring(at + 1)).get(0);
    }

    /** A command line split at white space, no shell: the program's absolute path, then its arguments. */
    private static List<String> parseCommand(String text) {
        List<String> words = List.of(text.strip().split("\\s+"));
        if (words.get(0).isEmpty() || !words.get(0).startsWith("/")) {
            throw new IllegalArgumentException("\"" + text + "\" does not start with the command's absolute path");
        }
        return words;
    }

    private static <T> ConfigKey<T> register(ConfigKey<T> key) {
        ALL.add(key);
        return key;
    }
}
