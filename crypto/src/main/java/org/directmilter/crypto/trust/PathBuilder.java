package org.directmilter.crypto.trust;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Finds paths from a certificate to an anchor. Every link is a verified signature: a certificate is
 * accepted as issuer only when its subject equals the issuer name and its public key verifies the
 * signature, and an anchor ends a path only when the anchor's own key verifies the last certificate.
 * Names, key identifiers and serials alone never make a link.
 */
final class PathBuilder {

    static final int MAX_DEPTH = 8;
    private static final int MAX_PATHS = 16;
    /** Signature verifications one search may do: a crafted pool of cross-signed certificates cannot spin. */
    static final int MAX_VERIFICATIONS = 500;

    /** A path: the certificate first, then intermediates, ending below {@code anchor}. */
    record Path(List<X509Certificate> chain, Anchor anchor) {
    }

    private final List<Anchor> anchors;
    private final List<X509Certificate> pool;
    private final Function<X509Certificate, List<X509Certificate>> aia;
    private final List<String> notes = new ArrayList<>();
    private int pathsTried;
    private int verifications;

    /**
     * @param aia fetches candidate issuers of a certificate from its AIA URLs; consulted only when no
     *            anchor and no local certificate issued it
     */
    PathBuilder(List<Anchor> anchors, Collection<X509Certificate> pool,
                Function<X509Certificate, List<X509Certificate>> aia) {
        this.anchors = anchors;
        this.pool = new ArrayList<>(pool);
        this.aia = aia;
    }

    /** The first path {@code acceptable} accepts, else the first path found, else none. */
    java.util.Optional<Path> build(X509Certificate leaf, Predicate<Path> acceptable) {
        List<Path> found = new ArrayList<>();
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        Path best = search(chain, acceptable, found);
        if (best != null) {
            return java.util.Optional.of(best);
        }
        return found.stream().findFirst();
    }

    /** Why links were refused, for the explanation when no path is found. */
    List<String> notes() {
        return notes;
    }

    private Path search(List<X509Certificate> chain, Predicate<Path> acceptable, List<Path> found) {
        if (pathsTried >= MAX_PATHS || verifications >= MAX_VERIFICATIONS) {
            return null;
        }
        X509Certificate tip = chain.get(chain.size() - 1);
        int below = chain.size() - 1;
        for (Anchor anchor : anchors) {
            if (issued(anchor.certificate(), tip)) {
                String refusal = CertificateChecks.notAnIssuer(anchor.certificate(), below);
                if (refusal != null) {
                    notes.add("anchor " + anchor.subject() + " " + refusal);
                    continue;
                }
                Path path = new Path(List.copyOf(chain), anchor);
                pathsTried++;
                found.add(path);
                if (acceptable.test(path)) {
                    return path;
                }
            }
        }
        if (chain.size() >= MAX_DEPTH) {
            return null;
        }
        List<X509Certificate> issuers = issuersOf(tip, chain, pool);
        boolean selfIssued = tip.getSubjectX500Principal().equals(tip.getIssuerX500Principal());
        if (issuers.isEmpty() && found.isEmpty() && !selfIssued) {
            List<X509Certificate> fetched = aia.apply(tip);
            pool.addAll(fetched);
            issuers = issuersOf(tip, chain, fetched);
        }
        for (X509Certificate issuer : issuers) {
            String refusal = CertificateChecks.notAnIssuer(issuer, below);
            if (refusal != null) {
                notes.add(Certificates.describe(issuer) + " " + refusal);
                continue;
            }
            chain.add(issuer);
            Path path = search(chain, acceptable, found);
            chain.remove(chain.size() - 1);
            if (path != null) {
                return path;
            }
        }
        return null;
    }

    private boolean issued(X509Certificate issuer, X509Certificate subject) {
        if (!issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
            return false;
        }
        if (++verifications == MAX_VERIFICATIONS) {
            notes.add("path search stopped after " + MAX_VERIFICATIONS + " signature verifications");
        }
        return verifications <= MAX_VERIFICATIONS && Certificates.issued(issuer, subject);
    }

    private List<X509Certificate> issuersOf(X509Certificate tip, List<X509Certificate> chain,
                                            Collection<X509Certificate> candidates) {
        List<X509Certificate> out = new ArrayList<>();
        for (X509Certificate c : candidates) {
            if (!chain.contains(c) && !out.contains(c) && issued(c, tip)) {
                out.add(c);
            }
        }
        return out;
    }

}
