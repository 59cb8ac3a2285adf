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
import java.util.function.Supplier;
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

    private static final ValueType<SocketSpec> SOCKET_SPEC = ValueType.of(SocketSpec::parse, SocketSpec::toString);

    // ---- the socket and the process ----

    public static final ConfigKey<SocketSpec> SOCKET = define("Socket", SOCKET_SPEC, "inet:8891@127.0.0.1",
            ON_RESTART, "where the MTA connects: inet:PORT@HOST, inet6:PORT@[ADDR] or local:/PATH");

    public static final ConfigKey<FileMode> SOCKET_MODE = define("SocketMode", ValueTypes.FILE_MODE, "0660",
            ON_RESTART, "permissions of a local: socket, set after bind (octal)");

    public static final ConfigKey<Optional<String>> SOCKET_GROUP = defineUnset("SocketGroup",
            ValueTypes.GROUP_NAME, ON_RESTART, "group of a local: socket, e.g. postfix");

    public static final ConfigKey<Integer> MAX_CONNECTIONS = define("MaxConnections",
            ValueTypes.intRange(1, 100_000), "256", ON_RESTART,
            "MTA connections served at once; further ones are closed at once");

    public static final ConfigKey<Duration> IDLE_TIMEOUT = define("IdleTimeout", ValueTypes.DURATION, "600s",
            ON_RESTART, "how long a connection may stay silent between messages");

    public static final ConfigKey<Duration> READ_TIMEOUT = define("ReadTimeout", ValueTypes.DURATION, "300s",
            ON_RESTART, "how long the MTA may stay silent in the middle of a message");

    public static final ConfigKey<Integer> WORKERS = defineComputed("Workers", ValueTypes.intRange(1, 4096),
            "number of CPUs", () -> Runtime.getRuntime().availableProcessors(), ON_RESTART,
            "threads doing end-of-message work (signing, encryption) for all connections");

    public static final ConfigKey<Duration> PROGRESS_INTERVAL = define("ProgressInterval", ValueTypes.DURATION,
            "10s", ON_RESTART, "how often the MTA is told work is in progress during end-of-message");

    public static final ConfigKey<Duration> END_OF_MESSAGE_TIMEOUT = define("EndOfMessageTimeout",
            ValueTypes.DURATION, "240s", ON_RESTART, "longest end-of-message work before the message is tempfailed");

    public static final ConfigKey<Long> SPOOL_THRESHOLD = define("SpoolThreshold",
            ValueTypes.size(0, 1L << 40), "1M", ON_RESTART,
            "bodies larger than this go to a private temporary file instead of memory (K, M, G)");

    public static final ConfigKey<Path> TEMPORARY_DIRECTORY = defineComputed("TemporaryDirectory",
            ValueTypes.ABSOLUTE_PATH, "java.io.tmpdir", () -> Path.of(System.getProperty("java.io.tmpdir")),
            ON_RESTART, "where spooled bodies go");

    public static final ConfigKey<Long> MAX_FRAME_SIZE = define("MaxFrameSize",
            ValueTypes.size(64 * 1024, 1L << 30), "1M", ON_RESTART,
            "largest milter packet accepted from the MTA; at least 64K, MTAs send 64K body chunks");

    // ---- Direct policy ----

    public static final ConfigKey<List<String>> DOMAINS = defineEmpty("Domains", ValueTypes.DOMAIN_LIST,
            ON_RELOAD, "local Direct domains, comma separated");

    public static final ConfigKey<Path> KEY_STORE = define("KeyStore", ValueTypes.ABSOLUTE_PATH,
            "/etc/direct-milter/keys", ON_RELOAD, "directory of private keys: <address>.p12 or <domain>.p12");

    public static final ConfigKey<Path> ANCHOR_DIR = define("AnchorDir", ValueTypes.ABSOLUTE_PATH,
            "/etc/direct-milter/anchors", ON_RELOAD,
            "trust anchors: <domain>/incoming/ and <domain>/outgoing/ (*.pem, *.der, *.p7b)");

    public static final ConfigKey<Path> CERTIFICATE_DIR = define("CertificateDir", ValueTypes.ABSOLUTE_PATH,
            "/etc/direct-milter/certs", ON_RELOAD, "partners' certificates: <address>.pem or <domain>.pem");

    public static final ConfigKey<List<HostPort>> NAMESERVERS = defineEmpty("Nameservers",
            ValueTypes.HOST_PORT_LIST, ON_RELOAD,
            "DNS servers as IP[:PORT], comma separated; none means the system resolver");

    public static final ConfigKey<Duration> DNS_TIMEOUT = define("DNSTimeout", ValueTypes.DURATION, "2s",
            ON_RELOAD, "how long one DNS question (UDP, or TCP after truncation) may take");

    public static final ConfigKey<Integer> DNS_ATTEMPTS = define("DNSAttempts", ValueTypes.intRange(1, 10), "2",
            ON_RELOAD, "rounds over all nameservers before discovery reports a temporary failure");

    public static final ConfigKey<Integer> DNS_BUFFER_SIZE = define("DNSBufferSize", ValueTypes.intRange(0, 65_535),
            "1232", ON_RELOAD, "EDNS0 UDP payload size advertised (0: no EDNS0); larger answers come over TCP");

    public static final ConfigKey<OwnerNameMode> OWNER_NAMES = define("OwnerNames",
            ValueType.of(OwnerNameMode::parse, m -> m.name().toLowerCase(Locale.ROOT)), "both", ON_RELOAD,
            "owner names of address-bound CERT records: naive (john.smith.example.org), escaped "
                    + "(john\\.smith.example.org) or both, naive first");

    public static final ConfigKey<Duration> CERT_URL_TIMEOUT = define("CertURLTimeout", ValueTypes.DURATION, "5s",
            ON_RELOAD, "connect and read timeout for certificates fetched from IPKIX URLs");

    public static final ConfigKey<Long> CERT_URL_MAX_SIZE = define("CertURLMaxSize", ValueTypes.size(1024, 1L << 24),
            "64K", ON_RELOAD, "largest certificate object fetched from an IPKIX URL");

    public static final ConfigKey<Boolean> CERT_TYPE_253_IS_URL = define("CertType253IsURL", ValueTypes.BOOLEAN, "no",
            ON_RELOAD, "treat CERT records of type 253 like IPKIX (as the Direct reference implementation publishes)");

    public static final ConfigKey<Integer> DISCOVERY_CACHE_SIZE = define("DiscoveryCacheSize",
            ValueTypes.intRange(0, 10_000_000), "10000", ON_RESTART, "owner names whose answers the cache keeps");

    public static final ConfigKey<Duration> DISCOVERY_CACHE_MIN_TTL = define("DiscoveryCacheMinTTL",
            ValueTypes.DURATION, "60s", ON_RESTART, "certificates found are cached for their DNS TTL, at least this long");

    public static final ConfigKey<Duration> DISCOVERY_CACHE_MAX_TTL = define("DiscoveryCacheMaxTTL",
            ValueTypes.DURATION, "24h", ON_RESTART, "... and at most this long");

    public static final ConfigKey<Duration> DISCOVERY_CACHE_NEGATIVE_MIN_TTL = define("DiscoveryCacheNegativeMinTTL",
            ValueTypes.DURATION, "60s", ON_RESTART, "'nothing published' is cached for the SOA minimum, at least this long");

    public static final ConfigKey<Duration> DISCOVERY_CACHE_NEGATIVE_MAX_TTL = define("DiscoveryCacheNegativeMaxTTL",
            ValueTypes.DURATION, "1h", ON_RESTART, "... and at most this long");

    public static final ConfigKey<Duration> DISCOVERY_CACHE_FAILURE_TTL = define("DiscoveryCacheFailureTTL",
            ValueTypes.DURATION, "5s", ON_RESTART, "how long a DNS failure is remembered before servers are asked again");

    public static final ConfigKey<List<Cidr>> INTERNAL_HOSTS = define("InternalHosts", ValueTypes.CIDR_LIST,
            "127.0.0.1/8, ::1", ON_RELOAD, "clients (CIDR list) whose mail from a local domain is outgoing");

    public static final ConfigKey<List<String>> SUBMISSION_DAEMONS = defineEmpty("SubmissionDaemons",
            ValueTypes.NAME_LIST, ON_RELOAD, "{daemon_name} values whose mail from a local domain is outgoing");

    public static final ConfigKey<Boolean> PROTECT_LOCAL = define("ProtectLocal", ValueTypes.BOOLEAN, "yes",
            ON_RELOAD, "mail between two local Direct domains is protected like other outgoing mail (no: delivered as is)");

    public static final ConfigKey<Boolean> ROUTING_CHECKS = define("RoutingChecks", ValueTypes.BOOLEAN, "yes",
            ON_RELOAD, "Direct 1.3 routing, both ways: MAIL FROM must match the (inner) From/Sender, each RCPT be in To/Cc");

    public static final ConfigKey<Duration> ANCHOR_CHECK_INTERVAL = define("AnchorCheckInterval",
            ValueTypes.DURATION, "10s", ON_RESTART, "how often AnchorDir is checked for added, changed or removed anchors");

    // ---- what to do when something goes wrong (OpenDKIM style; the defaults fail closed) ----

    public static final ConfigKey<FailureAction> ON_DNS_ERROR = define("On-DNSError",
            ValueTypes.failureAction(FailureAction.TEMPFAIL, FailureAction.REJECT), "tempfail", ON_RELOAD,
            "a recipient's certificates cannot be looked up (DNS failure): tempfail|reject");

    public static final ConfigKey<FailureAction> ON_NO_CERTIFICATE = define("On-NoCertificate",
            ValueTypes.failureAction(FailureAction.REJECT, FailureAction.TEMPFAIL), "reject", ON_RELOAD,
            "an outgoing recipient publishes no certificate: reject|tempfail");

    public static final ConfigKey<FailureAction> ON_UNTRUSTED = define("On-Untrusted",
            ValueTypes.failureAction(FailureAction.REJECT, FailureAction.TEMPFAIL, FailureAction.QUARANTINE),
            "reject", ON_RELOAD, "a recipient's certificates or an incoming signer are not trusted: reject|tempfail"
                    + " (quarantine: incoming only)");

    public static final ConfigKey<FailureAction> ON_UNPROTECTED = define("On-Unprotected",
            ValueTypes.failureAction(FailureAction.REJECT, FailureAction.TEMPFAIL, FailureAction.QUARANTINE,
                    FailureAction.ACCEPT), "reject", ON_RELOAD,
            "incoming mail for a Direct domain that is not encrypted and signed: reject|tempfail|quarantine|accept");

    public static final ConfigKey<FailureAction> ON_NO_SENDER_KEY = define("On-NoSenderKey",
            ValueTypes.failureAction(FailureAction.REJECT, FailureAction.TEMPFAIL), "reject", ON_RELOAD,
            "an outgoing sender has no private key in KeyStore: reject|tempfail (answered at MAIL FROM)");

    public static final ConfigKey<FailureAction> ON_INTERNAL_ERROR = define("On-InternalError",
            ValueTypes.failureAction(FailureAction.TEMPFAIL, FailureAction.REJECT, FailureAction.QUARANTINE),
            "tempfail", ON_RELOAD, "an unreadable key store or any other internal error: tempfail|reject|quarantine (incoming only; outgoing"
                    + " mail is tempfailed)");

    public static final ConfigKey<FailureAction> ON_NON_DIRECT = define("On-NonDirect",
            ValueTypes.failureAction(FailureAction.ACCEPT, FailureAction.REJECT), "accept", ON_RELOAD,
            "mail that is neither from nor to a local Direct domain: accept (pass untouched)|reject");

    // ---- S/MIME algorithms ----

    public static final ConfigKey<ContentCipher> CONTENT_CIPHER = define("ContentCipher",
            ValueType.of(ContentCipher::fromLabel, ContentCipher::label), "AES-256-CBC", ON_RELOAD,
            "outgoing content encryption: AES-256-CBC|AES-128-CBC|AES-256-GCM|AES-128-GCM (GCM: not for nhind partners)");

    public static final ConfigKey<KeyTransport> KEY_TRANSPORT = define("KeyTransport",
            ValueType.of(KeyTransport::fromLabel, KeyTransport::label), "rsa-pkcs1", ON_RELOAD,
            "outgoing RSA key transport: rsa-pkcs1|rsa-oaep|rsa-oaep-sha256 (oaep-sha256: not for nhind partners)");

    public static final ConfigKey<Boolean> ALLOW_TRIPLE_DES = define("AllowTripleDES", ValueTypes.BOOLEAN, "no",
            ON_RELOAD, "accept incoming mail encrypted with 3DES (refused by default)");

    // ---- trust: revocation and fetching (CRLs, AIA issuers) ----

    public static final ConfigKey<FailureAction> ON_REVOCATION_UNKNOWN = define("On-RevocationUnknown",
            ValueTypes.failureAction(FailureAction.ACCEPT, FailureAction.REJECT), "accept", ON_RELOAD,
            "when no current CRL can be had: accept (usable, with a warning) or treat the certificate as untrusted");

    public static final ConfigKey<Duration> FETCH_TIMEOUT = define("FetchTimeout", ValueTypes.DURATION, "5s",
            ON_RELOAD, "longest single HTTP fetch of a CRL or an AIA issuer certificate");

    public static final ConfigKey<Duration> FETCH_BUDGET = define("FetchBudget", ValueTypes.DURATION, "10s",
            ON_RELOAD, "longest time all fetches for one certificate validation may take together");

    public static final ConfigKey<Long> FETCH_MAX_SIZE = define("FetchMaxSize", ValueTypes.size(1024, 1L << 30),
            "4M", ON_RELOAD, "largest CRL or AIA answer accepted (K, M, G)");

    public static final ConfigKey<List<String>> FETCH_HOSTS = defineEmpty("FetchHosts", ValueTypes.DOMAIN_LIST,
            ON_RELOAD, "hosts CRLs and AIA certificates may be fetched from (http: only); none means any");

    // --- side doors (issue 20): where the MTA's notices about decrypted mail may go ---

    public static final ConfigKey<String> INCOMING_ENVELOPE_SENDER = define("IncomingEnvelopeSender",
            ValueType.of(ConfigKeys::parseEnvelopeSender, sender -> sender.isEmpty() ? "<>" : sender), "<>",
            ON_RELOAD, "envelope sender verified incoming mail is handed on with, so that no bounce or DSN returns "
                    + "decrypted mail to its sender: <> (none is sent) or a local address that receives them all");

    // --- notifications (issue 13): MDNs about verified incoming mail, handed to the local MTA ---

    public static final ConfigKey<Boolean> NOTIFICATIONS = define("Notifications", ValueTypes.BOOLEAN, "yes",
            ON_RELOAD, "send a processed MDN for every verified incoming message and recipient (Direct requires it)");

    public static final ConfigKey<List<String>> NOTIFICATION_COMMAND = define("NotificationCommand",
            ValueType.of(ConfigKeys::parseCommand, words -> String.join(" ", words)), "/usr/sbin/sendmail -i -t -f <>",
            ON_RELOAD, "sendmail-compatible command an MDN is piped to (no shell; the MTA must run direct-milter "
                    + "as non_smtpd_milters so it leaves signed and encrypted)");

    public static final ConfigKey<Duration> NOTIFICATION_TIMEOUT = define("NotificationTimeout", ValueTypes.DURATION,
            "30s", ON_RELOAD, "longest time NotificationCommand may take to queue an MDN; then the message is tempfailed");

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
