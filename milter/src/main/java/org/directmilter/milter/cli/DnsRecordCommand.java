package org.directmilter.milter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import org.directmilter.milter.daemon.ExitStatus;
import org.directmilter.resolver.DirectAddress;
import org.directmilter.resolver.FoundCertificate;
import org.directmilter.resolver.OwnerNameMode;
import org.directmilter.resolver.dns.Certificates;
import org.directmilter.resolver.dns.OwnerNames;
import org.directmilter.resolver.dns.ZoneLines;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code direct-milter dns-record CERT --owner ADDRESS|DOMAIN}: the BIND zone line that publishes a certificate. */
@Command(name = "dns-record",
        header = "Print the BIND zone line (CERT PKIX, or IPKIX with --url) that publishes a certificate.",
        description = {
            "Writes one zone line per owner-name form to standard output, e.g.",
            "  bob.example.org. 3600 IN CERT PKIX 0 0 MIIC...",
            "For an address whose local part has a dot, both forms are printed by default: the naive one "
                    + "(john.smith.example.org.) that deployed Direct software queries, and the RFC 1034 one "
                    + "(john\\.smith.example.org.).",
            "",
            "On standard error it reports the size of the DNS answer and warns above 512 bytes (resolvers "
                    + "need EDNS0 or TCP) and above 1232 bytes (the usual EDNS0 size: the answer comes over "
                    + "TCP, so TCP port 53 must be reachable)."
        },
        exitCodeList = {
            " 0:the record was printed",
            "64:bad command line (EX_USAGE)",
            "66:CERT cannot be read or holds no certificate (EX_NOINPUT)"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  direct-milter dns-record bob.pem --owner bob@example.org >> example.org.zone",
            "  direct-milter dns-record --url https://certs.example.org/bob.der --owner bob@example.org"
        })
final class DnsRecordCommand implements Callable<Integer> {
    static final int NO_INPUT = 66;

    @Mixin
    Subcommand command;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Parameters(index = "0", paramLabel = "CERT", description = "The certificate, PEM or DER.")
        Path certificate;

        @Option(names = "--url", paramLabel = "URL", description = "Publish an IPKIX record pointing at URL instead.")
        String url;
    }

    @Option(names = "--owner", required = true, paramLabel = "ADDRESS|DOMAIN",
            description = "Whose certificate: an address (address-bound) or a domain (domain-bound).")
    String owner;

    @Option(names = "--ttl", paramLabel = "SECONDS", defaultValue = "3600", description = "Record TTL (default: ${DEFAULT-VALUE}).")
    long ttl;

    @Option(names = "--owner-names", paramLabel = "MODE", defaultValue = "both",
            description = "naive, escaped or both (default: ${DEFAULT-VALUE}); matters for dotted local parts.")
    String ownerNames;

    @Override
    public Integer call() {
        PrintWriter out = command.out();
        PrintWriter err = command.err();
        List<String> owners;
        try {
            owners = owner.contains("@")
                    ? OwnerNames.addressBound(DirectAddress.parse(owner), OwnerNameMode.parse(ownerNames))
                    : List.of(OwnerNames.domainBound(DirectAddress.parse("x@" + owner)));
        } catch (IllegalArgumentException e) {
            return command.fail(ExitStatus.USAGE, e.getMessage());
        }
        if (owners.isEmpty()) {
            return command.fail(ExitStatus.USAGE, "the local part of " + owner + " cannot be a DNS label (over 63 octets or empty labels)");
        }
        int type;
        byte[] data;
        if (source.url != null) {
            type = FoundCertificate.IPKIX;
            data = source.url.getBytes(StandardCharsets.US_ASCII);
        } else {
            try {
                List<X509Certificate> certs = Certificates.parseAll(Files.readAllBytes(source.certificate));
                if (certs.size() != 1) {
                    return command.fail(NO_INPUT, source.certificate + " holds " + certs.size()
                            + " certificates; give one");
                }
                type = FoundCertificate.PKIX;
                data = certs.get(0).getEncoded();
            } catch (IOException | CertificateException e) {
                return command.fail(NO_INPUT, "cannot read a certificate from " + source.certificate + ": "
                        + e.getMessage());
            }
        }
        for (String name : owners) {
            out.println(ZoneLines.certLine(name, ttl, type, data));
        }
        out.flush();
        int size = ZoneLines.answerSize(owners.get(0), type, data);
        err.println("; DNS answer: " + size + " bytes with EDNS0 (record data " + (data.length + 5) + " bytes)");
        if (size > 1232) {
            err.println("; WARNING: over 1232 bytes: the answer will come over TCP; TCP port 53 must be reachable");
        } else if (size > 512) {
            err.println("; WARNING: over 512 bytes: resolvers need EDNS0, or fall back to TCP");
        }
        err.flush();
        return ExitStatus.OK;
    }
}
