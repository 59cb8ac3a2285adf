package org.directmilter.crypto.trust;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One consistent view of the anchor directory, as loaded at one moment. Immutable: a reload builds a
 * new one and swaps it in whole.
 *
 * @param anchors  every anchor loaded, in directory order
 * @param problems every file or certificate skipped, with the reason
 */
public record AnchorSet(List<Anchor> anchors, List<AnchorProblem> problems) {

    public static final AnchorSet EMPTY = new AnchorSet(List.of(), List.of());

    public AnchorSet {
        anchors = List.copyOf(anchors);
        problems = List.copyOf(problems);
    }

    /**
     * The anchors that apply to {@code domain} in {@code direction}: the domain's own plus those of the
     * all-domains directory, each certificate once.
     */
    public List<Anchor> anchorsFor(String domain, Direction direction) {
        String wanted = domain.toLowerCase(Locale.ROOT);
        Map<String, Anchor> byFingerprint = new LinkedHashMap<>();
        for (Anchor anchor : anchors) {
            if (anchor.direction() == direction
                    && (anchor.domain().isEmpty() || anchor.domain().get().equals(wanted))) {
                byFingerprint.putIfAbsent(anchor.sha256(), anchor);
            }
        }
        return new ArrayList<>(byFingerprint.values());
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
}
