package org.directmilter.crypto.trust;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.directmilter.crypto.text.LogSafe;
import org.directmilter.crypto.trust.Problem.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a certificate may be used by a local domain: the five conditions of the Direct
 * Applicability Statement (not expired, valid signatures, not revoked, bound to the expected address,
 * a path to one of the domain's anchors for the direction) plus key usage and key policy.
 *
 * <p>What is fetched, and for whom:
 * <ul>
 * <li>nothing for a certificate already unusable for local reasons (expired, wrong binding, weak key…),
 *     nor for a domain without anchors for the direction (no path is possible);
 * <li>an AIA caIssuers URL only when no held certificate (anchor, the message's certificates, local
 *     ones) issued the certificate, and only from a host the operator vouched for: one in
 *     {@code FetchHosts} when it is set, else the origin (host and port) of a URL the domain's own
 *     anchors name in their AIA or CRL distribution points. A stranger's certificate, whose URLs point
 *     anywhere it likes, so causes no request at all;
 * <li>a CRL only once a path to an anchor has been verified, from {@code FetchHosts} when set.
 * </ul>
 * Every fetch is an {@code http:} URL within the fetch timeout and the message's {@link ValidationBudget}.
 * What a fetch returned or why it failed is a warning for the operator, never part of a {@link Problem}.
 *
 * <p>Thread-safe; one instance serves the daemon.
 */
public final class TrustValidator {

    private static final Logger log = LoggerFactory.getLogger(TrustValidator.class);

    private final AnchorSource anchors;
    private final TrustSettings settings;
    private final Clock clock;
    private final Network network;
    private final Revocation revocation;
    private final TrustListener listener;

    public TrustValidator(AnchorSource anchors, TrustSettings settings) {
        this(anchors, settings, TrustListener.NONE);
    }

    /** @param listener told of every certificate judged and every CRL or AIA fetch tried */
    public TrustValidator(AnchorSource anchors, TrustSettings settings, TrustListener listener) {
        this(anchors, settings, Clock.systemUTC(), listener);
    }

    TrustValidator(AnchorSource anchors, TrustSettings settings, Clock clock) {
        this(anchors, settings, clock, TrustListener.NONE);
    }

    TrustValidator(AnchorSource anchors, TrustSettings settings, Clock clock, TrustListener listener) {
        this.anchors = anchors;
        this.settings = settings;
        this.clock = clock;
        this.listener = listener;
        this.network = new Network(settings, clock, listener);
        this.revocation = new Revocation(network, settings.crlGrace());
    }

    /** A budget for the validations of one message, from {@link TrustSettings#perMessage()}. */
    public ValidationBudget newBudget() {
        return ValidationBudget.start(settings.perMessage());
    }

    /** Validation with a budget of its own. */
    public ValidationResult validate(X509Certificate certificate, Purpose purpose, String expected, String localDomain,
                                     Direction direction, Collection<X509Certificate> intermediates) {
        return validate(certificate, purpose, expected, localDomain, direction, intermediates, newBudget());
    }

    /**
     * @param certificate   the recipient's (outgoing) or signer's (incoming) certificate
     * @param purpose       what it will be used for
     * @param expected      the Direct address it must be bound to (or a bare domain: domain-bound only)
     * @param localDomain   the local domain whose anchors decide (sender's when outgoing, recipient's when
     *                      incoming)
     * @param direction     which of the domain's anchor sets
     * @param intermediates candidate intermediates: the message's SignedData certificates, local ones
     * @param budget        what one message's validations may spend together: share it between them
     */
    public ValidationResult validate(X509Certificate certificate, Purpose purpose, String expected,
                                     String localDomain, Direction direction,
                                     Collection<X509Certificate> intermediates, ValidationBudget budget) {
        if (!budget.admitCertificate(certificate)) {
            return finish(new ValidationResult(certificate, List.of(certificate), Optional.empty(),
                    List.of(new Problem(Kind.TOO_MANY_CERTIFICATES, "not judged: one message may have at most "
                            + budget.limits().certificates() + " certificates judged")), List.of()));
        }
        Instant now = clock.instant();
        List<Problem> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        CertificateChecks.validity(certificate, now, "", problems);
        CertificateChecks.signatureAlgorithm(certificate, "", problems);
        CertificateChecks.keyPolicy(certificate, "", problems);
        CertificateChecks.criticalExtensions(certificate, "", problems);
        CertificateChecks.binding(certificate, expected, problems);
        CertificateChecks.usage(certificate, purpose, problems);

        List<Anchor> scope = anchors.anchorsFor(localDomain, direction);
        boolean mayFetch = problems.isEmpty() && !scope.isEmpty();
        Set<String> vouched = mayFetch ? vouchedOrigins(scope) : Set.of();
        PathBuilder builder = new PathBuilder(scope, intermediates,
                mayFetch ? c -> fetchIssuers(c, vouched, budget, warnings) : c -> List.of());
        Optional<PathBuilder.Path> path = builder.build(certificate, p -> pathProblems(p, now).isEmpty());
        String anchorsName = direction.directoryName() + " anchor of " + localDomain.toLowerCase(Locale.ROOT);
        if (path.isEmpty()) {
            problems.add(new Problem(Kind.NO_TRUSTED_PATH, scope.isEmpty()
                    ? "no path to any " + anchorsName + " (there are none)" : "no path to any " + anchorsName));
            // Refused links may name certificates a server sent: the operator's to read, not the sender's.
            builder.notes().forEach(n -> warnings.add("path: " + n));
            return finish(new ValidationResult(certificate, List.of(certificate), Optional.empty(), problems,
                    warnings));
        }
        problems.addAll(pathProblems(path.get(), now));
        if (problems.isEmpty()) {
            checkRevocation(path.get(), now, budget, problems, warnings);
        }
        return finish(new ValidationResult(certificate, path.get().chain(), Optional.of(path.get().anchor()),
                problems, warnings));
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

    private void checkRevocation(PathBuilder.Path path, Instant now, ValidationBudget budget,
                                 List<Problem> problems, List<String> warnings) {
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
            if (status instanceof RevocationStatus.Good good && good.inGrace()) {
                warnings.add(who + good.explanation());
            }
            if (status instanceof RevocationStatus.NotPublished) {
                // Nothing to wait for: used unless the operator refuses what cannot be checked.
                if (settings.unknownRevocation() == TrustSettings.UnknownRevocation.REJECT) {
                    problems.add(new Problem(Kind.REVOCATION_UNKNOWN, who + status.explanation()));
                    return;
                }
                warnings.add(who + "names no CRL distribution point; not checked for revocation");
            }
            if (status instanceof RevocationStatus.Unknown unknown) {
                switch (settings.unknownRevocation()) {
                    case ACCEPT -> warnings.add(who + unknown.explanation() + " (" + unknown.detail()
                            + "); accepted by policy");
                    case TEMPFAIL, REJECT -> {
                        problems.add(new Problem(Kind.REVOCATION_UNKNOWN, who + unknown.explanation(),
                                settings.unknownRevocation() == TrustSettings.UnknownRevocation.TEMPFAIL));
                        warnings.add(who + unknown.detail());
                        return;
                    }
                }
            }
        }
    }

    /** The origins the anchors name in their own AIA and CRL URLs: where their CAs publish. */
    private static Set<String> vouchedOrigins(List<Anchor> scope) {
        Set<String> out = new HashSet<>();
        for (Anchor anchor : scope) {
            List<String> urls = new ArrayList<>(Urls.caIssuers(anchor.certificate()));
            urls.addAll(Urls.crlDistributionPoints(anchor.certificate()));
            for (String url : urls) {
                String origin = HttpFetcher.origin(url);
                if (origin != null) {
                    out.add(origin);
                }
            }
        }
        return out;
    }

    private List<X509Certificate> fetchIssuers(X509Certificate cert, Set<String> vouched, ValidationBudget budget,
                                               List<String> warnings) {
        List<X509Certificate> out = new ArrayList<>();
        for (String url : Urls.caIssuers(cert)) {
            if (settings.allowedHosts().isEmpty() && !vouched.contains(HttpFetcher.origin(url))) {
                warnings.add("AIA " + url + " not fetched: no anchor of the domain names that host"
                        + " (FetchHosts can allow it)");
                continue;
            }
            try {
                out.addAll(network.certificates(url, budget));
            } catch (FetchException e) {
                warnings.add("AIA " + url + ": " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * Every judgement ends here: the listener hears it, and its warnings go to DEBUG (a caller judging a
     * message reports them once, in its audit line).
     */
    private ValidationResult finish(ValidationResult result) {
        listener.judged(result);
        if (!result.warnings().isEmpty() && log.isDebugEnabled()) {
            log.debug("certificate {}: {}", LogSafe.escape(Certificates.describe(result.certificate())),
                    LogSafe.escape(result.explanation()));
        }
        return result;
    }
}
