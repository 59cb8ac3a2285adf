package org.directmilter.resolver.dns;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.directmilter.resolver.CertLookup;
import org.directmilter.resolver.FoundCertificate;
import org.directmilter.resolver.OwnerLookup;
import org.directmilter.resolver.ResolverSettings;
import org.xbill.DNS.CERTRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * CERT records at one owner name, read into certificates. PKIX records are parsed; IPKIX records (and
 * type 253 when enabled) are fetched. Other types, the key tag and the algorithm are ignored.
 */
public final class DnsCertLookup implements CertLookup {

    private final DnsClient client;
    private final CertificateFetcher fetcher;
    private final boolean type253AsUrl;

    public DnsCertLookup(DnsClient client, CertificateFetcher fetcher, boolean type253AsUrl) {
        this.client = client;
        this.fetcher = fetcher;
        this.type253AsUrl = type253AsUrl;
    }

    public static DnsCertLookup create(ResolverSettings s) {
        return new DnsCertLookup(new DnsClient(s.nameservers(), s.timeout(), s.attempts(), s.ednsPayload()),
                new HttpCertificateFetcher(s.urlTimeout(), s.urlMaxBytes()), s.type253AsUrl());
    }

    @Override
    public OwnerLookup lookup(String owner) {
        Name name;
        try {
            name = Name.fromString(owner, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not an owner name: " + owner, e);
        }
        String absolute = name.toString();
        DnsClient.Reply reply = client.query(name, Type.CERT);
        if (reply instanceof DnsClient.Reply.Failed failed) {
            return new OwnerLookup.Unavailable(absolute, failed.reason(), failed.exchanges());
        }
        Message message = ((DnsClient.Reply.Answered) reply).message();
        if (message.getRcode() == Rcode.NXDOMAIN) {
            return new OwnerLookup.NonePublished(absolute, "NXDOMAIN", negativeTtl(message), reply.exchanges());
        }
        List<CERTRecord> used = new ArrayList<>();
        int ignored = 0;
        for (org.xbill.DNS.Record r : message.getSection(Section.ANSWER)) {
            if (r instanceof CERTRecord cert) {
                if (isUsedType(cert.getCertType())) {
                    used.add(cert);
                } else {
                    ignored++;
                }
            }
        }
        if (used.isEmpty()) {
            String reason = ignored == 0 ? "NODATA" : ignored + " CERT record(s) of types not used (not PKIX/IPKIX)";
            return new OwnerLookup.NonePublished(absolute, reason, negativeTtl(message), reply.exchanges());
        }
        return read(absolute, used, reply);
    }

    private boolean isUsedType(int type) {
        return type == FoundCertificate.PKIX || type == FoundCertificate.IPKIX
                || type == FoundCertificate.URI_TYPE && type253AsUrl;
    }

    private OwnerLookup read(String owner, List<CERTRecord> records, DnsClient.Reply reply) {
        List<FoundCertificate> certificates = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (CERTRecord record : records) {
            ttl = Math.min(ttl, record.getTTL());
            int type = record.getCertType();
            if (type == FoundCertificate.PKIX) {
                try {
                    certificates.add(new FoundCertificate(Certificates.parseDer(record.getCert()), type,
                            Optional.empty()));
                } catch (CertificateException | RuntimeException e) {
                    problems.add("PKIX record of " + record.getCert().length + " bytes is not a certificate: "
                            + e.getMessage());
                }
                continue;
            }
            String text = new String(record.getCert(), StandardCharsets.US_ASCII).strip();
            URI url;
            try {
                url = new URI(text);
            } catch (URISyntaxException e) {
                problems.add("record type " + type + " holds no URL: " + text);
                continue;
            }
            try {
                for (X509Certificate cert : fetcher.fetch(url)) {
                    certificates.add(new FoundCertificate(cert, type, Optional.of(url)));
                }
            } catch (CertificateFetcher.FetchException e) {
                if (e.temporary()) {
                    return new OwnerLookup.Unavailable(owner, e.getMessage(), reply.exchanges());
                }
                problems.add(e.getMessage());
            }
        }
        return new OwnerLookup.Published(owner, certificates, problems, ttl, reply.exchanges());
    }

    /** RFC 2308 §5: the smaller of the SOA's TTL and its MINIMUM field; -1 without a SOA. */
    private static long negativeTtl(Message message) {
        for (org.xbill.DNS.Record r : message.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) {
                return Math.min(soa.getTTL(), soa.getMinimum());
            }
        }
        return -1;
    }
}
