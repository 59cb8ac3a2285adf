package org.directmilter.crypto.trust;

import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.directmilter.crypto.trust.Problem.Kind;

/** The checks that need nothing but the certificate: time, key, algorithm, binding, usage, extensions. */
final class CertificateChecks {

    private static final String EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
    private static final String ANY_EKU = "2.5.29.37.0";
    private static final Set<String> UNDERSTOOD_CRITICAL = Set.of(
            "2.5.29.15", // keyUsage
            "2.5.29.19", // basicConstraints
            "2.5.29.17", // subjectAltName
            "2.5.29.37", // extendedKeyUsage
            "2.5.29.32", // certificatePolicies (no policy is required)
            "2.5.29.14", "2.5.29.35"); // key identifiers
    /** md2, md5 and sha1 with RSA; ecdsa-with-SHA1; dsa-with-sha1: refused even when the JDK names them oddly. */
    private static final Set<String> WEAK_SIGNATURE_OIDS = Set.of("1.2.840.113549.1.1.2", "1.2.840.113549.1.1.4",
            "1.2.840.113549.1.1.5", "1.3.14.3.2.29", "1.2.840.10045.4.1", "1.2.840.10040.4.3");
    private static final Set<ASN1ObjectIdentifier> CURVES = Set.of(SECObjectIdentifiers.secp256r1,
            SECObjectIdentifiers.secp384r1);

    private CertificateChecks() {
    }

    /** Validity at {@code now}; {@code who} prefixes the explanation ("" for the certificate itself). */
    static void validity(X509Certificate cert, Instant now, String who, List<Problem> out) {
        if (now.isAfter(cert.getNotAfter().toInstant())) {
            out.add(new Problem(Kind.EXPIRED, who + "expired " + day(cert.getNotAfter().toInstant())));
        }
        if (now.isBefore(cert.getNotBefore().toInstant())) {
            out.add(new Problem(Kind.NOT_YET_VALID, who + "not valid before " + day(cert.getNotBefore().toInstant())));
        }
    }

    /** MD2, MD5 and SHA-1 signatures are refused whatever the direction. */
    static void signatureAlgorithm(X509Certificate cert, String who, List<Problem> out) {
        String name = cert.getSigAlgName().toUpperCase(Locale.ROOT).replace("-", "");
        if (name.contains("MD2") || name.contains("MD5") || name.contains("SHA1WITH")
                || WEAK_SIGNATURE_OIDS.contains(cert.getSigAlgOID())) {
            out.add(new Problem(Kind.WEAK_SIGNATURE, who + "signed with " + cert.getSigAlgName()
                    + ", which is refused"));
        }
    }

    /** RSA of at least 2048 bits, or EC on P-256 or P-384; nothing else. */
    static void keyPolicy(X509Certificate cert, String who, List<Problem> out) {
        PublicKey key = cert.getPublicKey();
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < 2048) {
                out.add(new Problem(Kind.WEAK_KEY, who + "RSA key of " + bits + " bits (at least 2048 required)"));
            }
            return;
        }
        if (key.getAlgorithm().equals("EC")) {
            ASN1Encodable params = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getParameters();
            if (params instanceof ASN1ObjectIdentifier curve && CURVES.contains(curve)) {
                return;
            }
            out.add(new Problem(Kind.WEAK_KEY, who + "EC key on a curve other than P-256 or P-384"));
            return;
        }
        out.add(new Problem(Kind.WEAK_KEY, who + key.getAlgorithm() + " key (only RSA and EC P-256/P-384 allowed)"));
    }

    static void criticalExtensions(X509Certificate cert, String who, List<Problem> out) {
        Set<String> critical = cert.getCriticalExtensionOIDs();
        if (critical == null) {
            return;
        }
        for (String oid : critical) {
            if (!UNDERSTOOD_CRITICAL.contains(oid)) {
                out.add(new Problem(Kind.UNSUPPORTED, who + "critical extension " + oid
                        + (oid.equals("2.5.29.30") ? " (nameConstraints)" : "") + " is not supported"));
            }
        }
    }

    /**
     * Direct binding: an address-bound certificate (rfc822Name SAN or legacy emailAddress) must name
     * exactly the expected address; a domain-bound one (no address names) needs a dNSName equal to the
     * address's domain. Case-insensitive; wildcard dNSNames are refused.
     */
    static void binding(X509Certificate cert, String expected, List<Problem> out) {
        String wanted = expected.toLowerCase(Locale.ROOT);
        int at = wanted.lastIndexOf('@');
        String domain = at < 0 ? wanted : wanted.substring(at + 1);
        List<String> rfc822 = new ArrayList<>();
        List<String> dns = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == 1) {
                        rfc822.add(String.valueOf(san.get(1)));
                    } else if (type == 2) {
                        dns.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            out.add(new Problem(Kind.NOT_BOUND, "unreadable subjectAltName"));
            return;
        }
        for (String name : dns) {
            if (name.contains("*")) {
                out.add(new Problem(Kind.NOT_BOUND, "wildcard dNSName " + name + " is refused"));
                return;
            }
        }
        List<String> legacy = emailAddresses(cert.getSubjectX500Principal());
        for (String l : legacy) {
            for (String r : rfc822) {
                if (!l.equalsIgnoreCase(r)) {
                    out.add(new Problem(Kind.NOT_BOUND, "subject emailAddress " + l + " differs from rfc822Name " + r));
                    return;
                }
            }
        }
        List<String> addresses = new ArrayList<>(rfc822);
        addresses.addAll(legacy);
        if (!addresses.isEmpty()) {
            if (at >= 0 && addresses.stream().anyMatch(a -> a.equalsIgnoreCase(wanted))) {
                return;
            }
            String kind = rfc822.isEmpty() ? "subject emailAddress " : "rfc822Name ";
            out.add(new Problem(Kind.NOT_BOUND, kind + String.join(", ", addresses) + " does not match " + expected));
            return;
        }
        if (dns.stream().anyMatch(d -> d.equalsIgnoreCase(domain))) {
            return;
        }
        out.add(new Problem(Kind.NOT_BOUND, dns.isEmpty()
                ? "no rfc822Name, emailAddress or dNSName to bind it to " + expected
                : "dNSName " + String.join(", ", dns) + " does not match " + domain));
    }

    /** keyUsage and extendedKeyUsage, where present, must allow {@code purpose}. */
    static void usage(X509Certificate cert, Purpose purpose, List<Problem> out) {
        boolean[] ku = cert.getKeyUsage();
        if (ku != null) {
            boolean ok;
            String needed;
            if (purpose == Purpose.SIGNING) {
                ok = bit(ku, 0) || bit(ku, 1);
                needed = "digitalSignature or nonRepudiation";
            } else if (cert.getPublicKey().getAlgorithm().equals("EC")) {
                ok = bit(ku, 4);
                needed = "keyAgreement";
            } else {
                ok = bit(ku, 2);
                needed = "keyEncipherment";
            }
            if (!ok) {
                out.add(new Problem(Kind.KEY_USAGE, "keyUsage lacks " + needed + " needed for "
                        + purpose.name().toLowerCase(Locale.ROOT)));
            }
        }
        try {
            List<String> eku = cert.getExtendedKeyUsage();
            if (eku != null && !eku.contains(EMAIL_PROTECTION) && !eku.contains(ANY_EKU)) {
                out.add(new Problem(Kind.KEY_USAGE, "extendedKeyUsage lacks emailProtection"));
            }
        } catch (CertificateParsingException e) {
            out.add(new Problem(Kind.KEY_USAGE, "unreadable extendedKeyUsage"));
        }
    }

    /** An issuing CA: cA=true, keyCertSign when keyUsage is present, path length respected. */
    static String notAnIssuer(X509Certificate ca, int intermediatesBelow) {
        int pathLen = ca.getBasicConstraints();
        if (pathLen < 0) {
            return "is not a CA";
        }
        boolean[] ku = ca.getKeyUsage();
        if (ku != null && !bit(ku, 5)) {
            return "lacks keyCertSign";
        }
        if (intermediatesBelow > pathLen) {
            return "allows a path length of " + pathLen;
        }
        return null;
    }

    private static List<String> emailAddresses(X500Principal principal) {
        List<String> out = new ArrayList<>();
        for (RDN rdn : X500Name.getInstance(principal.getEncoded()).getRDNs()) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                if (atv.getType().equals(PKCSObjectIdentifiers.pkcs_9_at_emailAddress)
                        && atv.getValue() instanceof ASN1String s) {
                    out.add(s.getString());
                }
            }
        }
        return out;
    }

    private static boolean bit(boolean[] bits, int i) {
        return bits.length > i && bits[i];
    }

    static String day(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }
}
