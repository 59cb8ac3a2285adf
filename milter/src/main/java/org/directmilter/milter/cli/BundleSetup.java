package org.directmilter.milter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.security.GeneralSecurityException;
import java.util.Optional;
import org.directmilter.crypto.trust.bundle.TrustBundles;
import org.directmilter.milter.config.BundleFiles;
import org.directmilter.milter.config.ConfigError;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.Assembly;

/** The trust bundles as the daemon would set them up, for {@code anchors} and {@code check}. */
final class BundleSetup {

    private BundleSetup() {
    }

    /** The bundles of BundleDir; empty after printing every error to {@code err} (the daemon would not start). */
    static Optional<TrustBundles> load(MilterConfig config, PrintWriter err) {
        BundleFiles.Loaded files = Assembly.bundleFiles(config);
        if (!files.errors().isEmpty()) {
            files.errors().forEach(err::println);
            err.flush();
            return Optional.empty();
        }
        try {
            return Optional.of(Assembly.trustBundles(config, files.bundles()));
        } catch (IOException | GeneralSecurityException e) {
            err.println(new ConfigError(config.source(), config.lineOf(ConfigKeys.BUNDLE_TRUST_STORE).orElse(0),
                    ConfigKeys.BUNDLE_TRUST_STORE.name() + ": " + e.getMessage()));
            err.flush();
            return Optional.empty();
        }
    }
}
