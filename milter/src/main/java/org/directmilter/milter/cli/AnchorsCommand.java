package org.directmilter.milter.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.directmilter.crypto.trust.Anchor;
import org.directmilter.crypto.trust.AnchorSet;
import org.directmilter.crypto.trust.bundle.TrustBundles;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.daemon.ExpiryWarnings;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.ExitStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code direct-milter anchors}: the trust anchors per local domain and direction and where each came from. */
@Command(name = "anchors",
        header = "List the trust anchors per domain and direction.",
        description = {
            "Reads AnchorDir as the daemon does and lists, for each local domain and direction (incoming, "
                    + "outgoing) and for all-domains, every anchor: subject, SHA-256 fingerprint, not-after "
                    + "date and origin (the file, or the trust bundle with its URL, fetch time and checksum), "
                    + "with a warning for anchors expired or expiring within ExpiryWarningDays (30).",
            "",
            "Files that were skipped are listed with the reason. Then each trust bundle of BundleDir: its URL, "
                    + "where it applies, its pinned signer, and the copy persisted under BundleStateDir (the "
                    + "copy a restart puts in force). Nothing is fetched."
        },
        exitCodeList = {
            " 0:the anchors were listed (warnings included)",
            "78:the configuration has errors (EX_CONFIG)",
            "64:bad command line (EX_USAGE)"
        })
final class AnchorsCommand implements Callable<Integer> {

    @Mixin
    Subcommand command;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        PrintWriter out = command.out();
        PrintWriter err = command.err();
        Optional<MilterConfig> config = this.config.loadOrReport(err);
        if (config.isEmpty()) {
            return ExitStatus.CONFIG;
        }
        MilterConfig loaded = config.get();
        Path root = loaded.get(ConfigKeys.ANCHOR_DIR);
        AnchorSet set = AnchorStore.read(root);
        Optional<TrustBundles> bundles = BundleSetup.load(loaded, err);
        if (bundles.isEmpty()) {
            return ExitStatus.CONFIG;
        }
        BundleReport bundleReport = new BundleReport(bundles.get(), loaded.get(ConfigKeys.DOMAINS));
        // The bundles' anchors (as persisted: what the daemon would trust now) listed with AnchorDir's.
        List<Anchor> all = new ArrayList<>(set.anchors());
        all.addAll(bundles.get().current().anchors());
        out.println("AnchorDir " + root);
        new AnchorReport(new AnchorSet(all, set.problems()), loaded.get(ConfigKeys.DOMAINS), Instant.now(),
                ExpiryWarnings.window(loaded)).print(out);
        bundleReport.print(out);
        return ExitStatus.OK;
    }
}
