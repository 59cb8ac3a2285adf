package org.directmilter.crypto.trust;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One consistent view of the anchor directory, as loaded at one moment. Immutable: a reload builds a
 * new one and swaps it in whole. The anchors of each domain and direction are grouped once, here, so the
 * per-message lookup is a map access.
 */
public final class AnchorSet implements AnchorSource {

    public static final AnchorSet EMPTY = new AnchorSet(List.of(), List.of());

    private final List<Anchor> anchors;
    private final List<AnchorProblem> problems;
    private final Map<Scope, List<Anchor>> byScope = new HashMap<>();

    private record Scope(Optional<String> domain, Direction direction) {
    }

    /**
     * @param anchors  every anchor loaded, in directory order
     * @param problems every file or certificate skipped, with the reason
     */
    public AnchorSet(List<Anchor> anchors, List<AnchorProblem> problems) {
        this.anchors = List.copyOf(anchors);
        this.problems = List.copyOf(problems);
        Map<Scope, List<Anchor>> own = new HashMap<>();
        for (Anchor a : this.anchors) {
            own.computeIfAbsent(new Scope(a.domain(), a.direction()), s -> new ArrayList<>()).add(a);
        }
        for (Map.Entry<Scope, List<Anchor>> e : own.entrySet()) {
            Scope scope = e.getKey();
            List<Anchor> merged = new ArrayList<>(e.getValue());
            if (scope.domain().isPresent()) {
                merged.addAll(own.getOrDefault(new Scope(Optional.empty(), scope.direction()), List.of()));
            }
            byScope.put(scope, distinct(merged));
        }
    }

    public List<Anchor> anchors() {
        return anchors;
    }

    public List<AnchorProblem> problems() {
        return problems;
    }

    /**
     * The anchors that apply to {@code domain} in {@code direction}: the domain's own plus those of the
     * all-domains directory, each certificate once.
     */
    @Override
    public List<Anchor> anchorsFor(String domain, Direction direction) {
        List<Anchor> own = byScope.get(new Scope(Optional.of(domain.toLowerCase(Locale.ROOT)), direction));
        return own != null ? own : byScope.getOrDefault(new Scope(Optional.empty(), direction), List.of());
    }

    /** The domains that have a directory of their own, sorted. */
    public Set<String> domains() {
        Set<String> out = new TreeSet<>();
        anchors.forEach(a -> a.domain().ifPresent(out::add));
        return out;
    }

    /** The anchors of exactly one scope (a domain, or empty for all domains) and direction. */
    public List<Anchor> anchorsIn(Optional<String> domain, Direction direction) {
        return anchors.stream().filter(a -> a.domain().equals(domain) && a.direction() == direction).toList();
    }

    private static List<Anchor> distinct(List<Anchor> anchors) {
        Set<X509Certificate> seen = new LinkedHashSet<>();
        List<Anchor> out = new ArrayList<>();
        for (Anchor a : anchors) {
            if (seen.add(a.certificate())) {
                out.add(a);
            }
        }
        return List.copyOf(out);
    }
}
