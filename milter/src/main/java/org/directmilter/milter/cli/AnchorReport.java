package org.directmilter.milter.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.directmilter.crypto.trust.Anchor;
import org.directmilter.crypto.trust.AnchorOrigin;
import org.directmilter.crypto.trust.AnchorSet;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.milter.daemon.ExpiryWarnings;

/** What {@code anchors} lists and what {@code check} warns about: the anchor directory as loaded. */
final class AnchorReport {

    private final AnchorSet set;
    private final List<String> localDomains;
    private final Instant now;
    private final Duration window;

    /** {@code window}: how long before its end an anchor is warned about (ExpiryWarningDays). */
    AnchorReport(AnchorSet set, List<String> localDomains, Instant now, Duration window) {
        this.set = set;
        this.localDomains = localDomains;
        this.now = now;
        this.window = window;
    }

    /** Files skipped, anchors expired or expiring within the window, local domains trusting nobody. */
    List<String> warnings() {
        List<String> out = new ArrayList<>();
        set.problems().forEach(p -> out.add("anchors: " + p.file() + ": " + p.reason()));
        for (Anchor a : set.anchors()) {
            expiry(a).ifPresent(e -> out.add("anchor " + a.subject() + " from " + a.origin().describe() + " " + e));
        }
        for (String domain : localDomains) {
            for (Direction d : Direction.values()) {
                if (set.anchorsFor(domain, d).isEmpty()) {
                    out.add(domain + " has no " + d.directoryName() + " anchors: "
                            + (d == Direction.INCOMING ? "no signer will be trusted" : "no recipient will be trusted"));
                }
            }
        }
        return out;
    }

    void print(PrintWriter out) {
        TreeSet<String> domains = new TreeSet<>(set.domains());
        domains.addAll(localDomains);
        List<Optional<String>> scopes = new ArrayList<>();
        domains.forEach(d -> scopes.add(Optional.of(d)));
        scopes.add(Optional.empty());
        for (Optional<String> scope : scopes) {
            for (Direction d : Direction.values()) {
                List<Anchor> anchors = set.anchorsIn(scope, d);
                if (scope.isEmpty() && anchors.isEmpty()) {
                    continue;
                }
                out.println(scope.map(s -> s + " " + d.directoryName())
                        .orElse(AnchorStore.ALL_DOMAINS + " " + d.directoryName()) + ":");
                if (anchors.isEmpty()) {
                    out.println("  (none)");
                }
                for (Anchor a : anchors) {
                    out.println("  " + a.subject());
                    out.println("    sha256     " + a.sha256());
                    out.println("    not after  " + a.certificate().getNotAfter().toInstant().atOffset(ZoneOffset.UTC)
                            .toLocalDate());
                    printOrigin(out, a.origin());
                    expiry(a).ifPresent(e -> out.println("    WARNING    " + e));
                }
            }
        }
        if (!set.problems().isEmpty()) {
            out.println("skipped:");
            set.problems().forEach(p -> out.println("  " + p.file() + ": " + p.reason()));
        }
        out.flush();
    }

    /** Where the anchor came from: its file, or its bundle with URL, fetch time and checksum. */
    private static void printOrigin(PrintWriter out, AnchorOrigin origin) {
        if (origin instanceof AnchorOrigin.File f) {
            out.println("    file       " + f.path());
        } else if (origin instanceof AnchorOrigin.Bundle b) {
            out.println("    bundle     " + b.name());
            out.println("    url        " + b.url());
            out.println("    fetched    " + b.fetched());
            out.println("    checksum   sha256 " + b.sha256() + " (of the bundle)");
        }
    }

    private Optional<String> expiry(Anchor a) {
        return ExpiryWarnings.expiry(a.certificate(), now, window);
    }
}
