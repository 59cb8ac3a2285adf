package org.directmilter.milter.policy;

import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.crypto.trust.Purpose;
import org.directmilter.crypto.trust.TrustValidator;
import org.directmilter.crypto.trust.Verdict;

/**
 * The usability test discovery asks, keeping each verdict so the reply can say why a certificate was
 * refused and the audit line which anchor accepted one, without validating twice.
 */
final class VerdictRecorder implements Predicate<X509Certificate> {

    private final TrustValidator validator;
    private final String recipient;
    private final String senderDomain;
    private final Map<X509Certificate, Verdict> verdicts = new LinkedHashMap<>();

    VerdictRecorder(TrustValidator validator, String recipient, String senderDomain) {
        this.validator = validator;
        this.recipient = recipient;
        this.senderDomain = senderDomain;
    }

    @Override
    public boolean test(X509Certificate certificate) {
        Verdict verdict = validator.validate(certificate, Purpose.ENCRYPTION, recipient, senderDomain,
                Direction.OUTGOING, List.of());
        verdicts.put(certificate, verdict);
        return verdict.usable();
    }

    Verdict verdictFor(X509Certificate certificate) {
        return verdicts.computeIfAbsent(certificate, c -> validator.validate(c, Purpose.ENCRYPTION, recipient,
                senderDomain, Direction.OUTGOING, List.of()));
    }

    /** Why none was usable: each refused certificate's explanation, for the reply and the audit line. */
    String refusals() {
        return verdicts.values().stream().filter(v -> !v.usable()).map(Verdict::explanation).distinct()
                .reduce((a, b) -> a + "; " + b).orElse("");
    }
}
