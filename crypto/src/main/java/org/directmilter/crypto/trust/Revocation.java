package org.directmilter.crypto.trust;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** CRL checking of one certificate against its issuer: a CRL counts only when verified and current. */
final class Revocation {

    /** issuingDistributionPoint and deltaCRLIndicator change what a CRL covers; we do not interpret them. */
    private static final Set<String> UNDERSTOOD_CRITICAL = Set.of("2.5.29.20", "2.5.29.35"); // crlNumber, AKI

    private final Network network;

    Revocation(Network network) {
        this.network = network;
    }

    RevocationStatus check(X509Certificate cert, X509Certificate issuer, Instant now, FetchBudget budget) {
        List<String> urls = Urls.crlDistributionPoints(cert);
        if (urls.isEmpty()) {
            return new RevocationStatus.Unknown("no CRL distribution point in " + Certificates.describe(cert));
        }
        List<String> failures = new ArrayList<>();
        for (String url : urls) {
            X509CRL crl;
            try {
                crl = network.crl(url, budget);
            } catch (IOException e) {
                failures.add(e.getMessage());
                continue;
            }
            String unusable = unusable(crl, issuer, now);
            if (unusable != null) {
                failures.add("CRL " + url + " " + unusable);
                continue;
            }
            X509CRLEntry entry = crl.getRevokedCertificate(cert.getSerialNumber());
            if (entry != null) {
                return new RevocationStatus.Revoked(entry.getRevocationDate().toInstant(), reason(entry), url);
            }
            return new RevocationStatus.Good(url);
        }
        return new RevocationStatus.Unknown(String.join("; ", failures));
    }

    private static String unusable(X509CRL crl, X509Certificate issuer, Instant now) {
        if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return "is issued by " + crl.getIssuerX500Principal().getName() + ", not the certificate's issuer";
        }
        try {
            crl.verify(issuer.getPublicKey());
        } catch (GeneralSecurityException | RuntimeException e) {
            return "has a signature the issuer's key does not verify";
        }
        if (crl.getThisUpdate().toInstant().isAfter(now)) {
            return "is not valid before " + crl.getThisUpdate().toInstant();
        }
        if (crl.getNextUpdate() == null || crl.getNextUpdate().toInstant().isBefore(now)) {
            return "is stale (nextUpdate " + crl.getNextUpdate() + ")";
        }
        Set<String> critical = crl.getCriticalExtensionOIDs();
        if (critical != null) {
            for (String oid : critical) {
                if (!UNDERSTOOD_CRITICAL.contains(oid)) {
                    return "has unsupported critical extension " + oid;
                }
            }
        }
        return null;
    }

    private static String reason(X509CRLEntry entry) {
        CRLReason reason = entry.getRevocationReason();
        if (reason == null) {
            return "unspecified";
        }
        StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (char c : reason.name().toLowerCase(Locale.ROOT).toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }
}
