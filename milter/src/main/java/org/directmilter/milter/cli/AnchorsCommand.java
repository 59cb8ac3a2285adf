package org.directmilter.milter.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.directmilter.crypto.trust.AnchorSet;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.ExitStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code direct-milter anchors}: the trust anchors per local domain and direction, as the daemon loads them. */
@Command(name = "anchors",
        header = "List the trust anchors per domain and direction.",
        description = {
            "Reads AnchorDir as the daemon does and lists, for each local domain and direction (incoming, "
                    + "outgoing) and for all-domains, every anchor: subject, SHA-256 fingerprint, not-after "
                    + "date and source file, with a warning for anchors expired or expiring within 30 days.",
            "",
            "Files that were skipped are listed last with the reason."
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
        out.println("AnchorDir " + root);
        new AnchorReport(set, loaded.get(ConfigKeys.DOMAINS), Instant.now()).print(out);
        return ExitStatus.OK;
    }
}
