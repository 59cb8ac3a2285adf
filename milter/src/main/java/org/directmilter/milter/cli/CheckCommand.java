package org.directmilter.milter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.directmilter.crypto.jca.NativeProvider;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.Pkcs11KeyStore;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.crypto.trust.bundle.TrustBundles;
import org.directmilter.milter.config.ConfigError;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.ConfigLoader;
import org.directmilter.milter.config.ConfigResult;
import org.directmilter.milter.config.HostPort;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.Assembly;
import org.directmilter.milter.daemon.EnvironmentChecks;
import org.directmilter.milter.daemon.ExitStatus;
import org.directmilter.milter.daemon.ExpiryWarnings;
import org.directmilter.milter.daemon.TrackingStores;
import org.directmilter.milter.notify.SmtpSubmission;
import org.directmilter.milter.notify.Submission;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code direct-milter check}: would the daemon start with this file? Like {@code opendkim -n}. */
@Command(name = "check",
        header = "Validate the configuration; exit 0 when the daemon would start.",
        description = {
            "Parses the configuration file and reports every error, one per line, as FILE:LINE: reason "
                    + "(unknown or misspelt keys, keys given twice, missing or malformed values).",
            "",
            "Then checks what the file names on this host: that the directory of a local: socket exists "
                    + "and is writable, that SocketGroup exists, and that TemporaryDirectory is a writable "
                    + "directory. These checks run as the invoking user; run check as the daemon's user "
                    + "(e.g. with runuser -u direct-milter) for a faithful answer.",
            "",
            "Loads the trust anchors under AnchorDir and prints a warning for each file skipped (with the "
                    + "reason), each anchor expired or expiring within ExpiryWarningDays (default 30), and each "
                    + "local domain without incoming or outgoing anchors; then each certificate of the KeyStore's "
                    + "keys expired or expiring within that window, and each local domain with no key in the "
                    + "KeyStore (its outgoing mail would be refused). Reads the trust bundle files of BundleDir (an "
                    + "error there is a configuration error) and fetches and verifies each bundle now, warning about "
                    + "each that cannot be fetched or verified, has no persisted copy, or whose persisted copy is "
                    + "stale. Warnings do not change the exit code: the daemon would start.",
            "",
            "Opens the PKCS#11 token Pkcs11Library names, logging in with the PIN (a refused PIN is an error, "
                    + "and counts as one wrong try on the token), and lists every private key the daemon "
                    + "would use, one \"key:\" line each: the addresses or domains it acts for, its "
                    + "certificate, and where it comes from (the token's slot and the key's label, or the "
                    + "PKCS#12 file).",
            "",
            "With --postfix, also reads that Postfix's settings with postconf and warns when smtpd_milters or "
                    + "non_smtpd_milters does not name the daemon's Socket (mail would pass, or be submitted "
                    + "locally, unprotected) or milter_default_action is not tempfail.",
            "",
            "Opens the tracking store TrackingDatabase names (the PostgreSQL database, or the SQLite file if it "
                    + "exists: a missing file is left for the daemon to create) and reads its schema version: a store that cannot be opened is an error.",
            "",
            "With NativeCrypto yes, loads the native JCA provider as the daemon does at start and prints "
                    + "\"native crypto: ... in use\", or a warning with the reason it cannot load (the daemon would "
                    + "then use the JDK's providers).",
            "",
            "With NotificationServer set (and Notifications yes), connects to it as the first MDN would (greeting, "
                    + "EHLO, then QUIT) and prints \"notification server ADDRESS: \" and its greeting; a server that "
                    + "does not answer so is an error.",
            "",
            "When all is well, prints one line with every effective setting (defaults included)."
        },
        exitCodeList = {
            " 0:the daemon would start with this configuration",
            "78:the configuration has errors (EX_CONFIG); each is printed on standard error",
            "64:bad command line (EX_USAGE)"
        })
final class CheckCommand implements Callable<Integer> {

    @Mixin
    Subcommand command;

    @Mixin
    ConfigFileOption config;

    @Option(names = "--postfix", arity = "0..1", paramLabel = "DIR", fallbackValue = "/etc/postfix",
            description = "also check the Postfix whose main.cf is in DIR (default /etc/postfix) with postconf")
    Path postfix;

    @Override
    public Integer call() {
        PrintWriter out = command.out();
        PrintWriter err = command.err();
        ConfigResult result = new ConfigLoader().load(config.file);
        if (result instanceof ConfigResult.Invalid invalid) {
            return report(err, invalid.errors());
        }
        MilterConfig loaded = ((ConfigResult.Valid) result).config();
        List<ConfigError> problems = EnvironmentChecks.problems(loaded);
        if (!problems.isEmpty()) {
            return report(err, problems);
        }
        if (loaded.get(ConfigKeys.NOTIFICATIONS) && loaded.get(ConfigKeys.NOTIFICATION_SERVER).isPresent()) {
            HostPort server = loaded.get(ConfigKeys.NOTIFICATION_SERVER).get();
            try (SmtpSubmission submission = new SmtpSubmission(server.socketAddress(),
                    loaded.get(ConfigKeys.NOTIFICATION_TIMEOUT), SmtpSubmission.KEEP_IDLE)) {
                out.println("notification server " + server + ": " + submission.probe());
            } catch (Submission.SubmissionException e) {
                return report(err, List.of(new ConfigError(loaded.source(), loaded.lineOf(ConfigKeys.NOTIFICATION_SERVER)
                        .orElse(0), ConfigKeys.NOTIFICATION_SERVER.name() + ": " + e.getMessage()
                        + "; verified incoming mail would be tempfailed until it answers")));
            }
        }
        Optional<TrustBundles> bundles = BundleSetup.load(loaded, err);
        if (bundles.isEmpty()) {
            err.println(config.file + ": the trust bundles have errors; direct-milter would not start");
            err.flush();
            return ExitStatus.CONFIG;
        }

        // As the daemon does, before any key is read; a native part that cannot load is a warning, not an error.
        Assembly.nativeCrypto(loaded).ifPresent(installation -> {
            if (installation instanceof NativeProvider.Installation.Installed) {
                out.println("native crypto: " + installation.describe());
            } else {
                err.println("warning: native crypto: " + installation.describe());
            }
        });

        Optional<Pkcs11KeyStore> token;
        List<String> keys;
        try {
            token = Assembly.openToken(loaded);
            keys = KeyReport.lines(token, loaded.get(ConfigKeys.KEY_STORE));
        } catch (KeyStoreException | Pkcs11KeyStore.WrongPinException e) {
            return report(err, List.of(EnvironmentChecks.tokenError(loaded, e)));
        }
        keys.forEach(out::println);
        if (loaded.get(ConfigKeys.TRACKING)) { // with Tracking no the daemon opens no store
            Optional<String> tracking = TrackingStores.problem(loaded);
            if (tracking.isPresent()) {
                return report(err, List.of(new ConfigError(config.file, 0, tracking.get())));
            }
        }
        Instant now = Instant.now();
        new AnchorReport(AnchorStore.read(loaded.get(ConfigKeys.ANCHOR_DIR)), loaded.get(ConfigKeys.DOMAINS), now,
                ExpiryWarnings.window(loaded)).warnings().forEach(w -> err.println("warning: " + w));
        new BundleReport(bundles.get(), loaded.get(ConfigKeys.DOMAINS)).warnings(true).forEach(w -> err.println("warning: " + w));
        ExpiryWarnings.keys(loaded, now).forEach(w -> err.println("warning: " + w));
        domainsWithoutKeys(loaded).forEach(w -> err.println("warning: " + w));
        EnvironmentChecks.revocationWarning(loaded).ifPresent(w -> err.println("warning: " + w));
        if (postfix != null) {
            try {
                PostfixSettings.warnings(Path.of("/usr/sbin/postconf"), postfix, loaded.get(ConfigKeys.SOCKET))
                        .forEach(w -> err.println("warning: " + w));
            } catch (IOException e) {
                err.println("warning: cannot read Postfix's settings: " + e.getMessage());
            }
        }
        err.flush();
        out.println(config.file + ": OK: " + loaded.summary());
        out.flush();
        return ExitStatus.OK;
    }

    /**
     * A local domain with no key file at all (neither DOMAIN.p12 nor ADDRESS@DOMAIN.p12): every outgoing
     * message from it is refused at MAIL FROM. The daemon starts all the same — the domain may only receive.
     */
    private static List<String> domainsWithoutKeys(MilterConfig config) {
        Path store = config.get(ConfigKeys.KEY_STORE);
        List<String> names;
        try (var files = Files.list(store)) {
            names = files.map(f -> f.getFileName().toString().toLowerCase(Locale.ROOT)).toList();
        } catch (IOException e) {
            return List.of(); // named by the KeyStore checks already
        }
        List<String> out = new ArrayList<>();
        for (String domain : config.get(ConfigKeys.DOMAINS)) {
            if (names.stream().noneMatch(n -> n.equals(domain + ".p12") || n.endsWith("@" + domain + ".p12"))) {
                out.add(domain + " has no key in " + store + " (neither " + domain + ".p12 nor ADDRESS@" + domain
                        + ".p12): every outgoing message from it would be refused (On-NoSenderKey "
                        + config.format(ConfigKeys.ON_NO_SENDER_KEY) + ")");
            }
        }
        return out;
    }

    private int report(PrintWriter err, List<ConfigError> errors) {
        errors.forEach(err::println);
        err.println(config.file + ": " + errors.size() + (errors.size() == 1 ? " error" : " errors")
                + "; direct-milter would not start");
        err.flush();
        return ExitStatus.CONFIG;
    }
}
