package org.directmilter.milter.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.directmilter.crypto.text.LogSafe;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.crypto.trust.Certificates;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.crypto.trust.bundle.BundleException;
import org.directmilter.crypto.trust.bundle.BundleSpec;
import org.directmilter.crypto.trust.bundle.BundleStatus;
import org.directmilter.crypto.trust.bundle.TrustBundles;
import org.directmilter.milter.config.ConfigKeys;

/**
 * What {@code anchors} lists and {@code check} warns about for the trust bundles: each bundle's
 * subscription and the copy in force as persisted under BundleStateDir (what a restart would trust).
 */
final class BundleReport {

    private final TrustBundles bundles;
    private final List<String> localDomains;
    private final List<String> persistProblems;

    /** {@code bundles} with {@link TrustBundles#readPersisted()} not yet called. */
    BundleReport(TrustBundles bundles, List<String> localDomains) {
        this.bundles = bundles;
        this.localDomains = localDomains;
        this.persistProblems = bundles.readPersisted();
    }

    /**
     * BundleStateDir not writable, persisted copies missing, refused or stale; with {@code probe}, each
     * bundle fetched and verified now.
     */
    List<String> warnings(boolean probe) {
        List<String> out = new ArrayList<>();
        Path state = bundles.stateDir();
        if (!bundles.specs().isEmpty() && !(Files.isDirectory(state) && Files.isWritable(state))) {
            out.add("BundleStateDir " + state + " is not a writable directory (for this user): the bundles' last "
                    + "good copies cannot be kept for a restart without the network");
        }
        for (BundleSpec spec : bundles.specs()) {
            spec.domains().stream().filter(d -> !d.equals(AnchorStore.ALL_DOMAINS) && !localDomains.contains(d))
                    .forEach(d -> out.add("bundle " + spec.name() + " applies to " + d
                            + ", which is not in Domains: a misspelt domain?"));
        }
        out.addAll(persistProblems);
        for (BundleStatus s : bundles.statuses()) {
            if (s.fetched().isPresent() && s.stale()) {
                out.add("bundle " + s.name() + ": stale, the persisted copy was fetched " + s.fetched().get());
            }
        }
        if (probe) {
            for (BundleSpec spec : bundles.specs()) {
                try {
                    bundles.probe(spec.name());
                } catch (BundleException e) {
                    out.add("bundle " + spec.name() + ": cannot be fetched or verified now: "
                            + LogSafe.escape(e.describe()));
                }
            }
        }
        return out;
    }

    void print(PrintWriter out) {
        if (bundles.specs().isEmpty()) {
            return;
        }
        out.println("bundles:");
        List<BundleStatus> statuses = bundles.statuses();
        List<BundleSpec> specs = bundles.specs();
        for (int i = 0; i < specs.size(); i++) {
            BundleSpec spec = specs.get(i);
            BundleStatus status = statuses.get(i);
            out.println("  " + spec.name());
            out.println("    url        " + spec.url());
            out.println("    applies to " + String.join(", ", spec.domains()) + " " + spec.directions().stream()
                    .sorted().map(Direction::directoryName).collect(Collectors.joining(", ")));
            out.println("    signer     " + spec.signer().map(c -> c.getSubjectX500Principal().getName()
                    + " sha256 " + Certificates.sha256(c)).orElse("none (unsigned bundle)"));
            out.println("    refresh    " + ConfigKeys.BUNDLE_REFRESH.format(spec.refresh()));
            if (status.fetched().isPresent()) {
                out.println("    fetched    " + status.fetched().get() + (status.stale() ? " (STALE)" : ""));
                out.println("    checksum   sha256 " + status.sha256().orElse("?"));
                out.println("    anchors    " + status.anchors());
            } else {
                out.println("    fetched    never (no good copy persisted): its anchors are not in force");
            }
        }
        if (!persistProblems.isEmpty()) {
            out.println("bundle problems:");
            persistProblems.forEach(p -> out.println("  " + p));
        }
        out.flush();
    }
}
