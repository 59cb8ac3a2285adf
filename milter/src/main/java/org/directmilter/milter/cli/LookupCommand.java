package org.directmilter.milter.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.crypto.trust.Purpose;
import org.directmilter.crypto.trust.TrustValidator;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.HostPort;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.Assembly;
import org.directmilter.milter.daemon.ExitStatus;
import org.directmilter.resolver.CertificateDiscovery;
import org.directmilter.resolver.DirectAddress;
import org.directmilter.resolver.DiscoveredCertificate;
import org.directmilter.resolver.DiscoveryResult;
import org.directmilter.resolver.DnsExchange;
import org.directmilter.resolver.OwnerLookup;
import org.directmilter.resolver.ResolverSettings;
import org.directmilter.resolver.dns.OwnerNames;
import org.directmilter.resolver.ldap.LdapCertLookup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code direct-milter lookup ADDRESS}: certificate discovery step by step, as the daemon does it. */
@Command(name = "lookup",
        header = "Discover the certificates of a Direct address, step by step.",
        description = {
            "Looks in CertificateDir for ADDRESS.pem, then DOMAIN.pem; only when neither exists, queries "
                    + "DNS: the address-bound owner name(s), then — only if they publish no CERT records — the "
                    + "domain, with the nameservers, timeouts and owner-name forms of the configuration file "
                    + "(defaults when the default file does not exist). Only when DNS publishes no CERT record for "
                    + "either (and LDAPDiscovery is on), LDAP: the _ldap._tcp SRV records, the servers tried, the "
                    + "base DNs and the search (mail=ADDRESS), then (mail=DOMAIN). For every query it prints the "
                    + "owner name, each exchange (server, UDP or TCP, rcode, answer size, time), the LDAP steps and "
                    + "what was found; for every certificate its subject, issuer, serial, SHA-256, validity, "
                    + "binding, where it was found (an LDAP URL for LDAP) and verdict.",
            "",
            "Each certificate is judged as the milter judges it at RCPT: by the outgoing trust anchors "
                    + "(AnchorDir) of the local domain given with --from, else of the first of Domains — path to an "
                    + "anchor, validity, binding to the address, key usage, revocation. Without a local domain only "
                    + "the validity period is checked, and the output says so."
        },
        exitCodeList = {
            " 0:a usable certificate was found",
            " 1:certificates were found, none usable (discovery stops there: no fallback)",
            " 2:no certificate is published for the address or its domain",
            "64:bad command line (EX_USAGE)",
            "75:DNS or LDAP could not answer now: SERVFAIL, timeout, unreachable (EX_TEMPFAIL)",
            "78:the configuration has errors (EX_CONFIG)"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  direct-milter lookup bob@partner.example",
            "  direct-milter lookup john.smith@partner.example --nameserver 127.0.0.1:53"
        })
final class LookupCommand implements Callable<Integer> {
    static final int NONE_USABLE = 1;
    static final int NOT_FOUND = 2;
    static final int TEMPFAIL = 75;

    @Mixin
    Subcommand command;

    @Parameters(index = "0", paramLabel = "ADDRESS", description = "The Direct address, e.g. bob@partner.example.")
    String address;

    @Mixin
    ConfigFileOption config;

    @Option(names = "--nameserver", paramLabel = "HOST:PORT",
            description = "Ask this nameserver instead of the configured ones; repeat for more.")
    List<String> nameservers;

    @Option(names = "--from", paramLabel = "LOCAL",
            description = "The local sender (address or domain) whose outgoing trust anchors judge the certificates; "
                    + "default: the first of Domains.")
    String from;


    /** How certificates are judged: by a domain's outgoing anchors, or (without a local domain) by dates only. */
    private record Judge(Predicate<X509Certificate> usable, java.util.function.Function<X509Certificate, String> verdict) {
    }

    @Override
    public Integer call() {
        PrintWriter out = command.out();
        PrintWriter err = command.err();
        ResolverSettings settings;
        MilterConfig loadedConfig = null;
        if (Files.exists(config.file) || command.spec.commandLine().getParseResult().hasMatchedOption("-c")) {
            loadedConfig = config.loadOrReport(err).orElse(null);
            if (loadedConfig == null) {
                return ExitStatus.CONFIG;
            }
            settings = Assembly.resolverSettings(loadedConfig);
        } else {
            settings = Assembly.defaultResolverSettings();
        }
        DirectAddress target;
        try {
            target = DirectAddress.parse(address);
            if (nameservers != null) {
                settings = settings.withNameservers(nameservers.stream().map(HostPort::parse)
                        .map(HostPort::socketAddress).toList());
            }
        } catch (IllegalArgumentException e) {
            return command.fail(ExitStatus.USAGE, e.getMessage());
        }
        Judge judge = judge(loadedConfig, target.toString(), out);
        // A fresh discovery per run: every step is asked of DNS, none comes from a cache.
        DiscoveryResult result = CertificateDiscovery.create(settings).discover(target, judge.usable());
        print(out, target, result, judge);
        out.flush();
        if (result instanceof DiscoveryResult.Found) {
            return ExitStatus.OK;
        }
        if (result instanceof DiscoveryResult.FoundNoneUsable) {
            return NONE_USABLE;
        }
        return result instanceof DiscoveryResult.NotFound ? NOT_FOUND : TEMPFAIL;
    }

    /**
     * With a local domain (--from, else the first of Domains) the sender domain's outgoing anchors
     * judge, exactly as the milter will at RCPT; without one only the validity dates can be checked.
     */
    private Judge judge(MilterConfig loaded, String recipient, PrintWriter out) {
        String local = from != null ? from.substring(from.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT)
                : loaded != null && !loaded.get(ConfigKeys.DOMAINS).isEmpty() ? loaded.get(ConfigKeys.DOMAINS).get(0) : null;
        if (local == null || loaded == null) {
            out.println("trust: not checked (no configuration with Domains, and no --from): validity dates only");
            return new Judge(LookupCommand::withinValidity, c -> withinValidity(c)
                    ? "usable (validity period checked; trust anchors not checked)"
                    : "NOT usable: outside its validity period");
        }
        TrustValidator validator = new TrustValidator(AnchorStore.read(loaded.get(ConfigKeys.ANCHOR_DIR)),
                Assembly.trustSettings(loaded));
        out.println("trust: outgoing anchors of " + local + " under " + loaded.get(ConfigKeys.ANCHOR_DIR));
        return new Judge(validator.usableFor(Purpose.ENCRYPTION, recipient, local, Direction.OUTGOING), c -> {
            var verdict = validator.validate(c, Purpose.ENCRYPTION, recipient, local, Direction.OUTGOING, List.of());
            return verdict.usable() ? verdict.explanation() : "NOT usable: " + verdict.explanation();
        });
    }

    private static boolean withinValidity(X509Certificate cert) {
        try {
            cert.checkValidity();
            return true;
        } catch (java.security.cert.CertificateException e) {
            return false;
        }
    }

    private static void print(PrintWriter out, DirectAddress target, DiscoveryResult result, Judge judge) {
        out.println("lookup " + target);
        int n = 1;
        for (OwnerLookup step : result.steps()) {
            // CertificateDir steps are named file:PATH; their TTL means nothing (the file's mtime rules).
            boolean file = step.owner().startsWith("file:");
            out.println("step " + n++ + ": " + describe(step, target, file));
            for (DnsExchange e : step.exchanges()) {
                out.println("  " + e);
            }
            for (String note : step.notes()) {
                out.println("  " + note);
            }
            if (step instanceof OwnerLookup.Published p) {
                out.println("  found " + p.certificates().size() + " certificate(s)"
                        + (file ? "" : ", TTL " + p.ttlSeconds() + "s"));
                p.problems().forEach(problem -> out.println("  unreadable record: " + problem));
            } else if (step instanceof OwnerLookup.NonePublished none) {
                out.println("  none published: " + none.reason()
                        + (none.negativeTtlSeconds() >= 0 ? ", negative TTL " + none.negativeTtlSeconds() + "s" : ""));
            } else if (step instanceof OwnerLookup.Unavailable u) {
                out.println("  unavailable: " + u.reason());
            }
        }
        if (result instanceof DiscoveryResult.Found f) {
            f.usable().forEach(c -> certificate(out, c, judge));
            f.unusable().forEach(c -> certificate(out, c, judge));
            out.println("RESULT: " + f.usable().size() + " usable certificate(s), "
                    + f.binding().name().toLowerCase(Locale.ROOT) + "-bound");
        } else if (result instanceof DiscoveryResult.FoundNoneUsable none) {
            none.unusable().forEach(c -> certificate(out, c, judge));
            out.println("RESULT: certificates found, none usable; discovery stops here (no fallback)");
        } else if (result instanceof DiscoveryResult.NotFound) {
            out.println("RESULT: no certificate published");
        } else if (result instanceof DiscoveryResult.TemporaryFailure t) {
            out.println("RESULT: temporary failure: " + t.reason());
        }
    }

    private static String describe(OwnerLookup step, DirectAddress target, boolean file) {
        if (file) {
            boolean domain = step.owner().endsWith("/" + target.domain() + ".pem");
            return step.owner() + " (" + (domain ? "domain" : "address") + "-bound, CertificateDir)";
        }
        if (LdapCertLookup.isOwner(step.owner())) {
            boolean domain = step.owner().equals(LdapCertLookup.owner(target.domain()));
            return step.owner() + " (" + (domain ? "domain" : "address") + "-bound, LDAP)";
        }
        boolean domain = step.owner().equals(OwnerNames.domainBound(target));
        return step.owner() + " CERT (" + (domain ? "domain" : "address") + "-bound)";
    }

    private static void certificate(PrintWriter out, DiscoveredCertificate d, Judge judge) {
        X509Certificate c = d.certificate();
        out.println("certificate (" + d.binding().name().toLowerCase(Locale.ROOT) + "-bound, " + d.source() + " at " + d.owner() + ")");
        out.println("  subject:  " + c.getSubjectX500Principal().getName());
        out.println("  issuer:   " + c.getIssuerX500Principal().getName());
        out.println("  serial:   " + c.getSerialNumber().toString(16));
        out.println("  sha-256:  " + sha256(c));
        out.println("  valid:    " + c.getNotBefore().toInstant() + " to " + c.getNotAfter().toInstant());
        out.println("  verdict:  " + judge.verdict().apply(c));
    }

    private static String sha256(X509Certificate c) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            return "(" + e.getMessage() + ")";
        }
    }
}
