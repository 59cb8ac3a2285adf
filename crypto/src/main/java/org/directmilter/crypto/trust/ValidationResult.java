package org.directmilter.crypto.trust;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The validator's judgement of one certificate: usable or not, why, and by which path.
 *
 * @param certificate the certificate judged
 * @param chain       the path found, the certificate first, up to (not including) the anchor; just the
 *                    certificate when no path was found
 * @param anchor      the anchor whose key verified the path's last signature, when one did
 * @param problems    every reason it is not usable; empty means usable
 * @param warnings    for the operator only: what did not make it unusable (revocation unknown but accepted
 *                    by policy) and what the network did (fetch failures, with their URLs). Untrusted text:
 *                    escape it in logs, and never put it into an SMTP reply
 */
public record ValidationResult(X509Certificate certificate, List<X509Certificate> chain, Optional<Anchor> anchor,
                               List<Problem> problems, List<String> warnings) {

    public ValidationResult {
        chain = List.copyOf(chain);
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    public boolean usable() {
        return problems.isEmpty();
    }

    /** Not usable now, but only for reasons a later retry may cure: answer with a temporary failure. */
    public boolean temporary() {
        return !usable() && problems.stream().allMatch(Problem::temporary);
    }

    public boolean has(Problem.Kind kind) {
        return problems.stream().anyMatch(p -> p.kind() == kind);
    }

    /** What a sender may be told: "usable via anchor …" or the problems joined by "; ", no warnings. */
    public String reason() {
        return usable()
                ? "usable via anchor " + anchor.map(Anchor::subject).orElse("?")
                : problems.stream().map(Problem::explanation).collect(Collectors.joining("; "));
    }

    /** For the operator (audit line, CLI): {@link #reason()} with the warnings appended. */
    public String explanation() {
        return warnings.isEmpty() ? reason() : reason() + " (warning: " + String.join("; ", warnings) + ")";
    }
}
