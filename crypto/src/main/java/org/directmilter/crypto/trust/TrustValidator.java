package org.directmilter.crypto.trust;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import org.directmilter.crypto.trust.Problem.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a certificate may be used by a local domain: the five conditions of the Direct
 * Applicability Statement (not expired, valid signatures, not revoked, bound to the expected address,
 * a path to one of the domain's anchors for the direction) plus key usage and key policy.
 *
 * <p>Nothing is fetched for a certificate that is already unusable for local reasons (expired, wrong
 * binding, weak key…): AIA issuers are fetched only then, and CRLs only once a path to an anchor has been
 * verified, each from an {@code http:} URL within the fetch timeout and the validation's budget.
 *
 * <p>Thread-safe; one instance serves the daemon.
 */
public final class TrustValidator {

    private static final Logger LOG = LoggerFactory.getLogger(TrustValidator.class);

    private final AnchorSource anchors;
    private final TrustSettings settings;
    private final Clock clock;
    private final Network network;
    private final Revocation revocation;

    public TrustValidator(AnchorSource anchors, TrustSettings settings) {
        this(anchors, settings, Clock.systemUTC());
    }

    TrustValidator(AnchorSource anchors, TrustSettings settings, Clock clock) {
        this.anchors = anchors;
        this.settings = settings;
        this.clock = clock;
        this.network = new Network(settings, clock);
        this.revocation = new Revocation(network);
    }

    /** Validation with its own fetch budget ({@link TrustSettings#validationBudget()}). */
    public Verdict validate(X509Certificate certificate, Purpose purpose, String expected, String localDomain,
                            Direction direction, Collection<X509Certificate> intermediates) {
        return validate(certificate, purpose, expected, localDomain, direction, intermediates,
                FetchBudget.of(settings.validationBudget()));
    }

    /**
     * @param certificate   the recipient's (outgoing) or signer's (incoming) certificate
     * @param purpose       what it will be used for
     * @param expected      the Direct address it must be bound to (or a bare domain: domain-bound only)
     * @param localDomain   the local domain whose anchors decide (sender's when outgoing, recipient's when
     *                      incoming)
     * @param direction     which of the domain's anchor sets
     * @param intermediates candidate intermediates: the message's SignedData certificates, local ones
     * @param budget        the time left for network fetches, shareable across one message's validations
     */
    public Verdict validate(X509Certificate certificate, Purpose purpose, String expected, String localDomain,
                            Direction direction, Collection<X509Certificate> intermediates, FetchBudget budget) {
        Instant now = clock.instant();
        List<Problem> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        CertificateChecks.validity(certificate, now, "", problems);
        CertificateChecks.signatureAlgorithm(certificate, "", problems);
        CertificateChecks.keyPolicy(certificate, "", problems);
        CertificateChecks.criticalExtensions(certificate, "", problems);
        CertificateChecks.binding(certificate, expected, problems);
        CertificateChecks.usage(certificate, purpose, problems);
        boolean mayFetch = problems.isEmpty();

        List<Anchor> scope = anchors.anchorsFor(localDomain, direction);
        PathBuilder builder = new PathBuilder(scope, intermediates,
                mayFetch ? c -> fetchIssuers(c, budget, warnings) : c -> List.of());
        Optional<PathBuilder.Path> path = builder.build(certificate, p -> pathProblems(p, now).isEmpty());
        String anchorsName = direction.directoryName() + " anchor of " + localDomain.toLowerCase(Locale.ROOT);
        if (path.isEmpty()) {
            String why = scope.isEmpty() ? "no path to any " + anchorsName + " (there are none)"
                    : "no path to any " + anchorsName;
            if (!builder.notes().isEmpty()) {
                why += " (" + String.join("; ", builder.notes()) + ")";
            }
            problems.add(new Problem(Kind.NO_TRUSTED_PATH, why));
            return finish(new Verdict(certificate, List.of(certificate), Optional.empty(), problems, warnings));
        }
        problems.addAll(pathProblems(path.get(), now));
        if (problems.isEmpty()) {
            checkRevocation(path.get(), now, budget, problems, warnings);
        }
        return finish(new Verdict(certificate, path.get().chain(), Optional.of(path.get().anchor()), problems,
                warnings));
    }

    /** {@link #validate} as a usability test, for discovery ("is any certificate found usable?"). */
    public Predicate<X509Certificate> usableFor(Purpose purpose, String expected, String localDomain,
                                                Direction direction) {
        return cert -> validate(cert, purpose, expected, localDomain, direction, List.of()).usable();
    }

    /** What is wrong with the path's intermediates and anchor (the certificate itself is checked apart). */
    private static List<Problem> pathProblems(PathBuilder.Path path, Instant now) {
        List<Problem> out = new ArrayList<>();
        List<X509Certificate> chain = path.chain();
        for (int i = 1; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            String who = "intermediate " + c.getSubjectX500Principal().getName() + " ";
            CertificateChecks.validity(c, now, who, out);
            CertificateChecks.signatureAlgorithm(c, who, out);
            CertificateChecks.keyPolicy(c, who, out);
            CertificateChecks.criticalExtensions(c, who, out);
        }
        CertificateChecks.validity(path.anchor().certificate(), now, "anchor " + path.anchor().subject() + " ", out);
        return out;
    }

    private void checkRevocation(PathBuilder.Path path, Instant now, FetchBudget budget, List<Problem> problems,
                                 List<String> warnings) {
        List<X509Certificate> chain = path.chain();
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate cert = chain.get(i);
            X509Certificate issuer = i + 1 < chain.size() ? chain.get(i + 1) : path.anchor().certificate();
            RevocationStatus status = revocation.check(cert, issuer, now, budget);
            String who = i == 0 ? "" : "intermediate " + cert.getSubjectX500Principal().getName() + " ";
            if (status instanceof RevocationStatus.Revoked revoked) {
                problems.add(new Problem(Kind.REVOKED, who + revoked.explanation()));
                return;
            }
            if (status instanceof RevocationStatus.Unknown unknown) {
                if (settings.unknownRevocation() == TrustSettings.UnknownRevocation.REJECT) {
                    problems.add(new Problem(Kind.REVOCATION_UNKNOWN, who + unknown.explanation()));
                    return;
                }
                warnings.add(who + unknown.explanation() + "; accepted by policy");
            }
        }
    }

    private List<X509Certificate> fetchIssuers(X509Certificate cert, FetchBudget budget, List<String> warnings) {
        List<X509Certificate> out = new ArrayList<>();
        for (String url : Urls.caIssuers(cert)) {
            try {
                out.addAll(network.certificates(url, budget));
            } catch (IOException e) {
                warnings.add("AIA " + e.getMessage());
            }
        }
        return out;
    }

    /** Warnings go to DEBUG: a caller judging a message reports them once, in its audit line. */
    private static Verdict finish(Verdict verdict) {
        if (!verdict.warnings().isEmpty()) {
            LOG.debug("certificate {}: {}", Certificates.describe(verdict.certificate()), verdict.explanation());
        }
        return verdict;
    }
}
