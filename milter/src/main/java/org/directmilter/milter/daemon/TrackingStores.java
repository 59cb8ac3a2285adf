package org.directmilter.milter.daemon;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.PrivateFiles;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.tracking.JdbcTrackingStore;
import org.directmilter.milter.tracking.StoreSettings;
import org.directmilter.milter.tracking.TrackingStore.TrackingException;

/**
 * The one way the daemon and the operator's commands open the tracking store from the configuration: the
 * tracking store block of {@link ConfigKeys} becomes {@link StoreSettings}, the password file is read under
 * the key files' permission rule, and the store is opened (its schema created or migrated).
 */
public final class TrackingStores {

    private TrackingStores() {
    }

    /**
     * Opens the store the configuration names. The daemon passes {@code create} true (a missing SQLite file
     * is created); the operator's commands false, so running them as root before the daemon's first start
     * leaves no file the daemon cannot write.
     *
     * @throws StartupException {@link ExitStatus#CONFIG} when the password file is unreadable or others may
     *                          read it; {@link ExitStatus#UNAVAILABLE} when the database cannot be opened
     */
    public static JdbcTrackingStore open(MilterConfig config, boolean create) throws StartupException {
        StoreSettings settings = settings(config, create);
        try {
            return JdbcTrackingStore.open(settings);
        } catch (TrackingException e) {
            throw new StartupException(ExitStatus.UNAVAILABLE, e.getMessage());
        }
    }

    /** The settings, the password read from {@code TrackingPasswordFile} if one is set. */
    static StoreSettings settings(MilterConfig config, boolean create) throws StartupException {
        Optional<String> password = Optional.empty();
        Optional<Path> passwordFile = config.get(ConfigKeys.TRACKING_PASSWORD_FILE);
        if (passwordFile.isPresent()) {
            try {
                char[] secret = PrivateFiles.readSecret(passwordFile.get());
                password = Optional.of(new String(secret)); // the pool keeps it as a String in any case
                Arrays.fill(secret, '\0');
            } catch (KeyStoreException e) {
                throw new StartupException(ExitStatus.CONFIG, "TrackingPasswordFile " + e.getMessage());
            }
        }
        return new StoreSettings(config.get(ConfigKeys.TRACKING_DATABASE), password,
                config.get(ConfigKeys.TRACKING_POOL_SIZE), create);
    }

    /**
     * For {@code check}: why the daemon could not open its store, if it could not. A SQLite file that does not
     * exist yet is not opened, so that {@code check} run as root creates nothing (the daemon creates it).
     */
    public static Optional<String> problem(MilterConfig config) {
        if (notYetCreated(config)) {
            return Optional.empty();
        }
        try (JdbcTrackingStore store = open(config, false)) {
            store.verify();
            return Optional.empty();
        } catch (StartupException | TrackingException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static boolean notYetCreated(MilterConfig config) {
        String database = config.get(ConfigKeys.TRACKING_DATABASE);
        return !database.startsWith(StoreSettings.POSTGRESQL_PREFIX) && !Files.exists(Path.of(database));
    }
}
