package org.directmilter.crypto.trust;

import java.security.GeneralSecurityException;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
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
    private final Duration grace;

    Revocation(Network network, Duration grace) {
        this.network = network;
        this.grace = grace;
    }

    RevocationStatus check(X509Certificate cert, X509Certificate issuer, Instant now, ValidationBudget budget) {
        List<String> urls = Urls.crlDistributionPoints(cert);
        if (urls.isEmpty()) {
            return new RevocationStatus.NotPublished(Certificates.describe(cert));
        }
        String category = null;
        List<String> details = new ArrayList<>();
        for (String url : urls) {
            X509CRL crl;
            try {
                crl = network.crl(url, budget);
            } catch (FetchException e) {
                category = category != null ? category : "CRL not fetched, " + e.category().words();
                details.add("CRL " + url + ": " + e.getMessage());
                continue;
            }
            String[] unusable = unusable(crl, issuer, now);
            if (unusable != null) {
                category = category != null ? category : unusable[0];
                details.add("CRL " + url + " " + unusable[1]);
                continue;
            }
            X509CRLEntry entry = crl.getRevokedCertificate(cert.getSerialNumber());
            if (entry != null) {
                return new RevocationStatus.Revoked(entry.getRevocationDate().toInstant(), reason(entry), url);
            }
            return new RevocationStatus.Good(url, crl.getNextUpdate().toInstant().isBefore(now));
        }
        return new RevocationStatus.Unknown(category, String.join("; ", details));
    }

    /** Null when {@code crl} counts; else the category (for the sender) and the detail (for the log). */
    private String[] unusable(X509CRL crl, X509Certificate issuer, Instant now) {
        if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return new String[] {"CRL not issued by the certificate's issuer",
                    "is issued by " + crl.getIssuerX500Principal().getName() + ", not the certificate's issuer"};
        }
        try {
            crl.verify(issuer.getPublicKey());
        } catch (GeneralSecurityException | RuntimeException e) {
            return new String[] {"CRL signature does not verify", "has a signature the issuer's key does not verify"};
        }
        if (crl.getThisUpdate().toInstant().isAfter(now)) {
            return new String[] {"CRL not yet valid", "is not valid before " + crl.getThisUpdate().toInstant()};
        }
        if (crl.getNextUpdate() == null || crl.getNextUpdate().toInstant().plus(grace).isBefore(now)) {
            return new String[] {"CRL stale", "is stale (nextUpdate " + crl.getNextUpdate().toInstant()
                    + ", grace " + grace + ")"};
        }
        Set<String> critical = crl.getCriticalExtensionOIDs();
        if (critical != null) {
            for (String oid : critical) {
                if (!UNDERSTOOD_CRITICAL.contains(oid)) {
                    return new String[] {"CRL has an unsupported critical extension",
                            "has unsupported critical extension " + oid};
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
