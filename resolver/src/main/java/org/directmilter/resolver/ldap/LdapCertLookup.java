package org.directmilter.resolver.ldap;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.PartialResultException;
import javax.naming.SizeLimitExceededException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import org.directmilter.resolver.CertLookup;
import org.directmilter.resolver.DnsExchange;
import org.directmilter.resolver.FoundCertificate;
import org.directmilter.resolver.OwnerLookup;
import org.directmilter.resolver.ResolverSettings;
import org.directmilter.resolver.dns.Certificates;
import org.directmilter.resolver.dns.DnsClient;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The certificates LDAP publishes for one {@code mail} value (an address, or a domain for domain-bound
 * certificates), found as DCDT and the Direct reference implementation find them:
 *
 * <ol>
 *   <li>the SRV records at {@code _ldap._tcp.<domain>}, asked of the configured nameservers; none is
 *       "nothing published";</li>
 *   <li>the servers in RFC 2782 order: lowest priority first, within a priority the heaviest first (the
 *       order DCDT D16 checks, rather than a random draw); a server that cannot be reached, times out or
 *       answers with an error is skipped for the next, and when none answers the lookup is
 *       {@link OwnerLookup.Unavailable} — a temporary failure, never "no certificate";</li>
 *   <li>on the first server that answers: an anonymous bind, the base DNs from the root DSE's
 *       {@code namingContexts}, and under each a subtree search {@code (mail=<value>)} (escaped, RFC 4515)
 *       for {@code userCertificate}, {@code userCertificate;binary} and {@code userSMIMECertificate}, with
 *       size and time limits and referrals not followed.</li>
 * </ol>
 *
 * Owner names are {@link #owner(String)} keys, so LDAP answers share the DNS answers' cache. Answers
 * carry the configured TTLs, as LDAP has none. Server names are resolved with the same DNS client,
 * never the system resolver.
 */
public final class LdapCertLookup implements CertLookup {

    private static final String PREFIX = "ldap:(mail=";
    static final List<String> ATTRIBUTES = List.of("userCertificate", "userCertificate;binary",
            "userSMIMECertificate");

    private final DnsClient dns;
    private final LdapSettings settings;

    public LdapCertLookup(DnsClient dns, LdapSettings settings) {
        this.dns = dns;
        this.settings = settings;
    }

    public static LdapCertLookup create(ResolverSettings s) {
        return new LdapCertLookup(new DnsClient(s.nameservers(), s.timeout(), s.attempts(), s.ednsPayload()),
                s.ldap());
    }

    /**
     * The cache key of the LDAP search for {@code mailValue}: {@code ldap:(mail=VALUE)}. A DNS owner name
     * in presentation form never looks like this: it escapes parentheses and ends with a dot.
     */
    public static String owner(String mailValue) {
        return PREFIX + mailValue + ")";
    }

    /** Whether {@code owner} is a key made by {@link #owner(String)}. */
    public static boolean isOwner(String owner) {
        return owner.startsWith(PREFIX) && owner.endsWith(")");
    }

    @Override
    public OwnerLookup lookup(String owner) {
        if (!isOwner(owner)) {
            throw new IllegalArgumentException("not an LDAP owner: " + owner);
        }
        String value = owner.substring(PREFIX.length(), owner.length() - 1);
        String domain = value.substring(value.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        return new Search(owner, value, domain).run();
    }

    /** A server named by an SRV record. */
    record Target(int priority, int weight, int port, String host) {
    }

    /** RFC 2782 order: priority ascending; within a priority, weight descending (deterministic). */
    static List<Target> order(List<Target> targets) {
        return targets.stream()
                .sorted(Comparator.comparingInt(Target::priority)
                        .thenComparing(Target::weight, Comparator.reverseOrder()))
                .toList();
    }

    /** One lookup's state: what it asked, for the trace. */
    private final class Search {
        private final String owner;
        private final String value;
        private final String domain;
        private final String filter;
        private final List<DnsExchange> exchanges = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();

        Search(String owner, String value, String domain) {
            this.owner = owner;
            this.value = value;
            this.domain = domain;
            this.filter = LdapFilter.mailEquals(value);
        }

        OwnerLookup run() {
            Name srv;
            try {
                srv = Name.fromString("_ldap._tcp." + domain + ".");
            } catch (TextParseException e) {
                return none("no SRV record: " + domain + " is not a DNS name");
            }
            DnsClient.Reply reply = dns.query(srv, Type.SRV);
            exchanges.addAll(reply.exchanges());
            if (reply instanceof DnsClient.Reply.Failed failed) {
                return new OwnerLookup.Unavailable(owner, "SRV " + srv + ": " + failed.reason(), exchanges, notes);
            }
            List<Target> targets = new ArrayList<>();
            for (org.xbill.DNS.Record r : ((DnsClient.Reply.Answered) reply).message().getSection(Section.ANSWER)) {
                if (r instanceof SRVRecord s) {
                    targets.add(new Target(s.getPriority(), s.getWeight(), s.getPort(), s.getTarget().toString()));
                }
            }
            notes.add("SRV " + srv + ": " + (targets.isEmpty() ? "none" : targets.stream()
                    .map(t -> t.priority() + " " + t.weight() + " " + t.port() + " " + t.host())
                    .reduce((a, b) -> a + ", " + b).orElse("")));
            // RFC 2782: a single record with target "." means the service is decidedly not available
            targets.removeIf(t -> t.host().equals("."));
            if (targets.isEmpty()) {
                return none("no LDAP server published (no SRV record at " + srv + ")");
            }
            List<String> failures = new ArrayList<>();
            for (Target target : order(targets)) {
                for (InetAddress address : addresses(target, failures)) {
                    Optional<OwnerLookup> answer = ask(target, address, failures);
                    if (answer.isPresent()) {
                        return answer.get();
                    }
                }
            }
            return new OwnerLookup.Unavailable(owner, "no LDAP server answered: " + String.join("; ", failures),
                    exchanges, notes);
        }

        /** The target's IPv4 addresses, else its IPv6 ones, from the configured nameservers. */
        private List<InetAddress> addresses(Target target, List<String> failures) {
            for (int type : new int[] {Type.A, Type.AAAA}) {
                Name name;
                try {
                    name = Name.fromString(target.host(), Name.root);
                } catch (TextParseException e) {
                    failures.add(target.host() + ": not a host name");
                    return List.of();
                }
                DnsClient.Reply reply = dns.query(name, type);
                exchanges.addAll(reply.exchanges());
                if (reply instanceof DnsClient.Reply.Answered answered) {
                    List<InetAddress> found = addresses(answered.message());
                    if (!found.isEmpty()) {
                        return found;
                    }
                } else {
                    failures.add(target.host() + " " + Type.string(type) + ": "
                            + ((DnsClient.Reply.Failed) reply).reason());
                    notes.add(target.host() + ": address lookup failed");
                    return List.of();
                }
            }
            failures.add(target.host() + ": no address");
            notes.add(target.host() + ": no address");
            return List.of();
        }

        private static List<InetAddress> addresses(Message message) {
            List<InetAddress> out = new ArrayList<>();
            for (org.xbill.DNS.Record r : message.getSection(Section.ANSWER)) {
                if (r instanceof ARecord a) {
                    out.add(a.getAddress());
                } else if (r instanceof AAAARecord a) {
                    out.add(a.getAddress());
                }
            }
            return out;
        }

        /** The server's answer, or empty when it gave none (the next server is tried). */
        private Optional<OwnerLookup> ask(Target target, InetAddress address, List<String> failures) {
            String host = address.getHostAddress();
            String url = "ldap://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + target.port();
            DirContext ctx;
            List<String> bases = new ArrayList<>();
            try {
                ctx = new InitialDirContext(environment(url));
            } catch (NamingException e) {
                return failed(url, target, "unreachable: " + describe(e), failures);
            }
            try {
                Attribute contexts = ctx.getAttributes("", new String[] {"namingContexts"}).get("namingContexts");
                if (contexts != null) {
                    for (NamingEnumeration<?> e = contexts.getAll(); e.hasMore(); ) {
                        bases.add(String.valueOf(e.next()));
                    }
                }
                notes.add(url + " (" + target.host() + "): anonymous bind, namingContexts: "
                        + (bases.isEmpty() ? "none" : printable(String.join(" | ", bases))));
                List<FoundCertificate> certificates = new ArrayList<>();
                List<String> problems = new ArrayList<>();
                int entries = 0;
                for (String base : bases) {
                    entries += search(ctx, url, base, certificates, problems);
                }
                if (certificates.isEmpty() && problems.isEmpty()) {
                    return Optional.of(none(entries == 0 ? "no entry with " + filter
                            : entries + " entry(ies) with " + filter + " but no certificate attribute"));
                }
                return Optional.of(new OwnerLookup.Published(owner, certificates, problems,
                        settings.ttl().toSeconds(), exchanges, notes));
            } catch (NamingException e) {
                return failed(url, target, describe(e), failures);
            } finally {
                try {
                    ctx.close();
                } catch (NamingException ignored) {
                    // the connection is dropped either way
                }
            }
        }

        /** Entries found under {@code base}; their certificates and unreadable values are added. */
        private int search(DirContext ctx, String url, String base, List<FoundCertificate> certificates,
                           List<String> problems) throws NamingException {
            SearchControls controls = new SearchControls(SearchControls.SUBTREE_SCOPE, settings.maxEntries(),
                    Math.toIntExact(Math.max(1, settings.timeout().toMillis())), ATTRIBUTES.toArray(String[]::new),
                    false, false);
            int entries = 0;
            String limit = "";
            NamingEnumeration<SearchResult> results = ctx.search(base, filter, controls);
            try {
                while (results.hasMore()) {
                    SearchResult entry = results.next();
                    entries++;
                    read(entry.getAttributes(), url, base, certificates, problems);
                }
            } catch (SizeLimitExceededException e) {
                limit = " (size limit " + settings.maxEntries() + " reached, later entries not read)";
            } catch (PartialResultException e) {
                limit = " (referral not followed)";
            } finally {
                results.close();
            }
            notes.add(url + " base \"" + printable(base) + "\" filter " + printable(filter) + ": " + entries
                    + " entry(ies)" + limit);
            return entries;
        }

        private void read(Attributes attributes, String url, String base, List<FoundCertificate> certificates,
                          List<String> problems) throws NamingException {
            for (NamingEnumeration<? extends Attribute> all = attributes.getAll(); all.hasMore(); ) {
                Attribute attribute = all.next();
                if (!isCertificateAttribute(attribute.getID())) {
                    continue; // only what was asked for, whatever the server sends
                }
                URI source = ldapUrl(url, base, attribute.getID());
                for (NamingEnumeration<?> values = attribute.getAll(); values.hasMore(); ) {
                    Object v = values.next();
                    if (!(v instanceof byte[] bytes)) {
                        problems.add(printable(attribute.getID()) + " value is not binary");
                        continue;
                    }
                    try {
                        for (X509Certificate cert : Certificates.parseAll(bytes)) {
                            certificates.add(new FoundCertificate(cert, FoundCertificate.LDAP, Optional.of(source)));
                        }
                    } catch (CertificateException | RuntimeException e) {
                        problems.add(printable(attribute.getID()) + " value of " + bytes.length
                                + " bytes is not a certificate");
                    }
                }
            }
        }

        /** {@code userCertificate} or {@code userSMIMECertificate}, with any options ({@code ;binary}). */
        private static boolean isCertificateAttribute(String id) {
            String base = id.split(";", 2)[0];
            return base.equalsIgnoreCase("userCertificate") || base.equalsIgnoreCase("userSMIMECertificate");
        }

        /** RFC 4516: {@code ldap://host:port/base?attribute?sub?filter}, percent-encoded where needed. */
        private URI ldapUrl(String server, String base, String attribute) {
            try {
                URI s = new URI(server);
                return new URI("ldap", null, s.getHost(), s.getPort(), "/" + base, attribute + "?sub?" + filter, null);
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }

        private Optional<OwnerLookup> failed(String url, Target target, String why, List<String> failures) {
            failures.add(url + " " + why);
            notes.add(url + " (" + target.host() + "): " + why + "; next server");
            return Optional.empty();
        }

        private OwnerLookup none(String reason) {
            return new OwnerLookup.NonePublished(owner, reason, settings.negativeTtl().toSeconds(), exchanges, notes);
        }

        private java.util.Hashtable<String, Object> environment(String url) {
            Hashtable<String, Object> env = new Hashtable<>();
            env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
            env.put(Context.PROVIDER_URL, url);
            env.put(Context.SECURITY_AUTHENTICATION, "none");
            // referrals and continuation references are reported, never followed to another server
            env.put(Context.REFERRAL, "ignore");
            env.put("java.naming.ldap.version", "3");
            env.put("java.naming.ldap.derefAliases", "never");
            env.put("java.naming.ldap.attributes.binary", "userCertificate userSMIMECertificate");
            env.put("com.sun.jndi.ldap.connect.pool", "false");
            String millis = Long.toString(Math.max(1, settings.timeout().toMillis()));
            env.put("com.sun.jndi.ldap.connect.timeout", millis);
            env.put("com.sun.jndi.ldap.read.timeout", millis);
            return env;
        }

        private static String describe(NamingException e) {
            Throwable root = e.getRootCause() != null ? e.getRootCause() : e;
            String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
            return root.getClass().getSimpleName() + " " + printable(message);
        }

        /** The server chooses these texts (error messages, DNs): printable ASCII only, the rest as '?'. */
        private static String printable(String text) {
            StringBuilder out = new StringBuilder(text.length());
            text.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
            return out.toString();
        }
    }
}
