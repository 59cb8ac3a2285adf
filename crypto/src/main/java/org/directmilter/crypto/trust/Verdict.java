package org.directmilter.crypto.trust;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The validator's answer for one certificate.
 *
 * @param certificate the certificate judged
 * @param chain       the path found, the certificate first, up to (not including) the anchor; just the
 *                    certificate when no path was found
 * @param anchor      the anchor whose key verified the path's last signature, when one did
 * @param problems    every reason it is not usable; empty means usable
 * @param warnings    things worth logging that did not make it unusable (e.g. revocation unknown, accepted
 *                    by policy)
 */
public record Verdict(X509Certificate certificate, List<X509Certificate> chain, Optional<Anchor> anchor,
                      List<Problem> problems, List<String> warnings) {

    public Verdict {
        chain = List.copyOf(chain);
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    public boolean usable() {
        return problems.isEmpty();
    }

    public boolean has(Problem.Kind kind) {
        return problems.stream().anyMatch(p -> p.kind() == kind);
    }

    /** One line: "usable via anchor …" or the problems joined by "; ", warnings appended. */
    public String explanation() {
        String head = usable()
                ? "usable via anchor " + anchor.map(Anchor::subject).orElse("?")
                : problems.stream().map(Problem::explanation).collect(Collectors.joining("; "));
        return warnings.isEmpty() ? head : head + " (warning: " + String.join("; ", warnings) + ")";
    }
}
