package org.directmilter.milter.policy;

import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.crypto.trust.Purpose;
import org.directmilter.crypto.trust.TrustValidator;
import org.directmilter.crypto.trust.ValidationBudget;
import org.directmilter.crypto.trust.ValidationResult;

/**
 * The usability test discovery asks, keeping each verdict so the reply can say why a certificate was
 * refused and the audit line which anchor accepted one, without validating twice.
 */
final class VerdictRecorder implements Predicate<X509Certificate> {

    private final TrustValidator validator;
    private final String recipient;
    private final String senderDomain;
    private final Map<X509Certificate, ValidationResult> verdicts = new LinkedHashMap<>();
    private final ValidationBudget budget;

    VerdictRecorder(TrustValidator validator, String recipient, String senderDomain) {
        this.validator = validator;
        this.recipient = recipient;
        this.senderDomain = senderDomain;
        this.budget = validator.newBudget();
    }

    @Override
    public boolean test(X509Certificate certificate) {
        ValidationResult verdict = validator.validate(certificate, Purpose.ENCRYPTION, recipient, senderDomain,
                Direction.OUTGOING, List.of(), budget);
        verdicts.put(certificate, verdict);
        return verdict.usable();
    }

    ValidationResult verdictFor(X509Certificate certificate) {
        return verdicts.computeIfAbsent(certificate, c -> validator.validate(c, Purpose.ENCRYPTION, recipient,
                senderDomain, Direction.OUTGOING, List.of(), budget));
    }

    /** Why none was usable: each refused certificate's explanation, with the warnings, for the audit line. */
    String refusals() {
        return verdicts.values().stream().filter(v -> !v.usable()).map(ValidationResult::explanation).distinct()
                .reduce((a, b) -> a + "; " + b).orElse("");
    }

    /** Why none was usable, for the reply: the problems only, never what a fetch returned. */
    String publicRefusals() {
        return verdicts.values().stream().filter(v -> !v.usable()).map(ValidationResult::reason).distinct()
                .reduce((a, b) -> a + "; " + b).orElse("");
    }

    /** True when every refusal is temporary (revocation status unknown): the sender should retry. */
    boolean allTemporary() {
        return !verdicts.isEmpty() && verdicts.values().stream().filter(v -> !v.usable())
                .allMatch(ValidationResult::temporary);
    }
}
