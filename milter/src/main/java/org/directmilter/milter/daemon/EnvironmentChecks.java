package org.directmilter.milter.daemon;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.Pkcs11KeyStore;
import org.directmilter.crypto.keys.Pkcs12DirectoryKeyStore;
import org.directmilter.milter.config.ConfigError;
import org.directmilter.milter.config.ConfigKey;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.FailureAction;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.server.SocketSpec;

/**
 * Checks that a valid configuration names usable things on this host: directories that exist and can
 * be written, a group that exists. They run as whoever runs them, so {@code check} as root can pass
 * where the daemon user would fail; the daemon repeats the temporary-directory check after it drops
 * privileges.
 */
public final class EnvironmentChecks {

    private EnvironmentChecks() {
    }

    /** Every problem found, attributed to the line that set the key (or to the file for defaults). */
    public static List<ConfigError> problems(MilterConfig config) {
        List<ConfigError> problems = new ArrayList<>();
        domains(config).ifPresent(problems::add);
        keyStore(config).ifPresent(problems::add);
        problems.addAll(keyFiles(config));
        socketDirectory(config).ifPresent(problems::add);
        socketGroup(config).ifPresent(problems::add);
        temporaryDirectory(config).ifPresent(problems::add);
        notificationCommand(config).ifPresent(problems::add);
        return problems;
    }

    /**
     * With notifications on, every verified message runs NotificationCommand: a missing program would
     * tempfail all incoming mail, so it is found now.
     */
    static Optional<ConfigError> notificationCommand(MilterConfig config) {
        if (!config.get(ConfigKeys.NOTIFICATIONS) || config.get(ConfigKeys.NOTIFICATION_SERVER).isPresent()) {
            return Optional.empty(); // none sent, or none through the command
        }
        Path program = Path.of(config.get(ConfigKeys.NOTIFICATION_COMMAND).get(0));
        if (!Files.isRegularFile(program)) {
            return Optional.of(error(config, ConfigKeys.NOTIFICATION_COMMAND, program + " does not exist; install "
                    + "the MTA's sendmail command or set \"Notifications no\""));
        }
        if (!Files.isExecutable(program)) {
            return Optional.of(error(config, ConfigKeys.NOTIFICATION_COMMAND, program + " is not executable by "
                    + System.getProperty("user.name")));
        }
        return Optional.empty();
    }

    /**
     * What {@code run} logs as warnings at start, as {@code check} reports it: key files it will refuse
     * (others may read them, wrong password…), and {@code On-RevocationUnknown accept}. The daemon starts
     * all the same; a refused key answers its messages with the internal-error action.
     */
    public static List<String> startupWarnings(MilterConfig config) {
        List<String> out = new ArrayList<>(keyFiles(config).stream().map(ConfigError::toString).toList());
        revocationWarning(config).ifPresent(out::add);
        return out;
    }

    /** Said by {@code check} and at start when revocation fails open. */
    public static Optional<String> revocationWarning(MilterConfig config) {
        if (config.get(ConfigKeys.ON_REVOCATION_UNKNOWN) != FailureAction.ACCEPT) {
            return Optional.empty();
        }
        return Optional.of(ConfigKeys.ON_REVOCATION_UNKNOWN.name() + " accept: a certificate whose revocation "
                + "status cannot be learnt (CRL unreachable or stale) is used as if not revoked");
    }

    /** A Direct agent with no Direct domain would pass every message through unprotected: refuse it. */
    static Optional<ConfigError> domains(MilterConfig config) {
        if (!config.get(ConfigKeys.DOMAINS).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(error(config, ConfigKeys.DOMAINS, "no local Direct domain is set; name them (e.g. \"Domains"
                + " hisp.example.org\") with their keys in " + config.get(ConfigKeys.KEY_STORE) + " and anchors in "
                + config.get(ConfigKeys.ANCHOR_DIR)));
    }

    private static Optional<ConfigError> keyStore(MilterConfig config) {
        Path dir = config.get(ConfigKeys.KEY_STORE);
        if (!Files.isDirectory(dir)) {
            return Optional.of(error(config, ConfigKeys.KEY_STORE, "directory " + dir + " does not exist"));
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            return Optional.of(error(config, ConfigKeys.KEY_STORE, "directory " + dir + " is not readable by "
                    + System.getProperty("user.name")));
        }
        return Optional.empty();
    }

    /**
     * Opens every key file as the daemon will at MAIL FROM, so a wrong password or a file others may read
     * is found now rather than as a 451 for every message.
     */
    private static List<ConfigError> keyFiles(MilterConfig config) {
        Path dir = config.get(ConfigKeys.KEY_STORE);
        List<ConfigError> out = new ArrayList<>();
        if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
            return out;
        }
        Pkcs12DirectoryKeyStore store = new Pkcs12DirectoryKeyStore(dir);
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".p12")).sorted().toList()) {
                String name = file.getFileName().toString();
                try {
                    store.keysFor(name.substring(0, name.length() - ".p12".length()));
                } catch (KeyStoreException e) {
                    out.add(error(config, ConfigKeys.KEY_STORE, e.getMessage()));
                } catch (IllegalArgumentException e) {
                    out.add(error(config, ConfigKeys.KEY_STORE, file + ": " + e.getMessage()));
                }
            }
        } catch (IOException e) {
            out.add(error(config, ConfigKeys.KEY_STORE, "cannot list " + dir + ": " + e.getMessage()));
        }
        return out;
    }

    static Optional<ConfigError> temporaryDirectory(MilterConfig config) {
        Path dir = config.get(ConfigKeys.TEMPORARY_DIRECTORY);
        return writableDirectory(dir)
                .map(why -> error(config, ConfigKeys.TEMPORARY_DIRECTORY, "directory " + dir + " " + why));
    }

    private static Optional<ConfigError> socketDirectory(MilterConfig config) {
        if (!(config.get(ConfigKeys.SOCKET) instanceof SocketSpec.Local local)) {
            return Optional.empty();
        }
        Path dir = local.path().getParent();
        return writableDirectory(dir).map(why -> error(config, ConfigKeys.SOCKET,
                "the socket's directory " + dir + " " + why));
    }

    private static Optional<ConfigError> socketGroup(MilterConfig config) {
        Optional<String> group = config.get(ConfigKeys.SOCKET_GROUP);
        if (group.isEmpty() || group.get().chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group.get());
            return Optional.empty();
        } catch (UserPrincipalNotFoundException e) {
            return Optional.of(error(config, ConfigKeys.SOCKET_GROUP, "group \"" + group.get() + "\" does not exist"));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of(error(config, ConfigKeys.SOCKET_GROUP,
                    "cannot look up group \"" + group.get() + "\": " + e.getMessage()));
        }
    }

    private static Optional<String> writableDirectory(Path dir) {
        if (!Files.exists(dir)) {
            return Optional.of("does not exist");
        }
        if (!Files.isDirectory(dir)) {
            return Optional.of("is not a directory");
        }
        if (!Files.isWritable(dir)) {
            return Optional.of("is not writable by " + System.getProperty("user.name"));
        }
        return Optional.empty();
    }

    /**
     * How {@code check} reports a token that cannot be opened ({@link Assembly#openToken}): a refused PIN
     * against Pkcs11PinFile, anything else against Pkcs11Library.
     */
    public static ConfigError tokenError(MilterConfig config, Exception e) {
        ConfigKey<?> key = e instanceof Pkcs11KeyStore.WrongPinException ? ConfigKeys.PKCS11_PIN_FILE
                : ConfigKeys.PKCS11_LIBRARY;
        return error(config, key, e.getMessage());
    }

    private static ConfigError error(MilterConfig config, ConfigKey<?> key, String what) {
        var line = config.lineOf(key);
        String origin = line.isPresent() ? key.name() : key.name() + " (default " + key.defaultText() + ")";
        return new ConfigError(config.source(), line.orElse(0), origin + ": " + what);
    }
}
