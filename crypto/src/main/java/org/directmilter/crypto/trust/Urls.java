package org.directmilter.crypto.trust;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.X509ObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * The URLs a certificate names: CRL distribution points and AIA caIssuers. Unparseable means none.
 *
 * <p>Read once per certificate object: every validation asks for the URLs of each anchor in scope and of
 * the certificates on the path, the same objects message after message (anchors, the discovery cache,
 * the JDK's cache of parsed certificates), and {@link X509Certificate#getExtensionValue} encodes the
 * extension again on every call. A certificate never changes, so neither do its URLs; the cache holds
 * its keys weakly and compares them by identity.
 */
final class Urls {

    private static final Cache<X509Certificate, Named> NAMED = Caffeine.newBuilder().weakKeys()
            .maximumSize(4096).build();

    private record Named(List<String> crlDistributionPoints, List<String> caIssuers) {
    }

    private Urls() {
    }

    /** The full-name URIs of the CRL distribution points without a separate CRL issuer, unmodifiable. */
    static List<String> crlDistributionPoints(X509Certificate cert) {
        return named(cert).crlDistributionPoints();
    }

    /** The caIssuers URIs of the authority information access, unmodifiable. */
    static List<String> caIssuers(X509Certificate cert) {
        return named(cert).caIssuers();
    }

    private static Named named(X509Certificate cert) {
        return NAMED.get(cert, c -> new Named(List.copyOf(readCrlDistributionPoints(c)), List.copyOf(readCaIssuers(c))));
    }

    private static List<String> readCrlDistributionPoints(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        ASN1Primitive value = extension(cert, Extension.cRLDistributionPoints.getId());
        if (value == null) {
            return out;
        }
        try {
            for (DistributionPoint dp : CRLDistPoint.getInstance(value).getDistributionPoints()) {
                DistributionPointName name = dp.getDistributionPoint();
                if (name == null || name.getType() != DistributionPointName.FULL_NAME || dp.getCRLIssuer() != null) {
                    continue;
                }
                for (GeneralName gn : GeneralNames.getInstance(name.getName()).getNames()) {
                    if (gn.getTagNo() == GeneralName.uniformResourceIdentifier) {
                        out.add(ASN1IA5String.getInstance(gn.getName()).getString());
                    }
                }
            }
        } catch (RuntimeException e) {
            return List.of();
        }
        return out;
    }

    private static List<String> readCaIssuers(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        ASN1Primitive value = extension(cert, Extension.authorityInfoAccess.getId());
        if (value == null) {
            return out;
        }
        try {
            for (AccessDescription ad : AuthorityInformationAccess.getInstance(value).getAccessDescriptions()) {
                GeneralName gn = ad.getAccessLocation();
                if (ad.getAccessMethod().equals(X509ObjectIdentifiers.id_ad_caIssuers)
                        && gn.getTagNo() == GeneralName.uniformResourceIdentifier) {
                    out.add(ASN1IA5String.getInstance(gn.getName()).getString());
                }
            }
        } catch (RuntimeException e) {
            return List.of();
        }
        return out;
    }

    private static ASN1Primitive extension(X509Certificate cert, String oid) {
        byte[] raw = cert.getExtensionValue(oid);
        if (raw == null) {
            return null;
        }
        try {
            return JcaX509ExtensionUtils.parseExtensionValue(raw);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
