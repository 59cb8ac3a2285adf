package org.directmilter.milter.tracking;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the tracking store lives and how it is reached.
 *
 * @param database       an absolute path: the SQLite file (the embedded default); or a
 *                       {@code jdbc:postgresql://HOST[:PORT]/DATABASE[?user=ROLE&…]} URL: a PostgreSQL database
 *                       that several nodes may share
 * @param password       the PostgreSQL role's password, if it needs one (never for SQLite)
 * @param poolSize       the most connections held open at once
 * @param createIfMissing whether a missing SQLite file is created (the daemon) or refused (the operator's
 *                       {@code track}, which must not leave an empty database owned by the wrong user)
 */
public record StoreSettings(String database, Optional<String> password, int poolSize, boolean createIfMissing) {

    /** The prefix that makes {@link #database} a PostgreSQL URL. */
    public static final String POSTGRESQL_PREFIX = "jdbc:postgresql://";

    public StoreSettings {
        if (poolSize < 1) {
            throw new IllegalArgumentException("a pool of at least one connection");
        }
        if (!database.startsWith(POSTGRESQL_PREFIX) && !Path.of(database).isAbsolute()) {
            throw new IllegalArgumentException("\"" + database + "\" is neither an absolute path (SQLite) nor a "
                    + POSTGRESQL_PREFIX + "HOST/DATABASE URL");
        }
    }

    /** The SQLite file at {@code file}, created if missing, with a small pool. */
    public static StoreSettings sqlite(Path file) {
        return new StoreSettings(file.toAbsolutePath().toString(), Optional.empty(), 4, true);
    }

    /** The database for the operator's reading commands: the same, but never created. */
    public StoreSettings existingOnly() {
        return new StoreSettings(database, password, poolSize, false);
    }

    /** Whether this is a shared PostgreSQL database rather than the embedded SQLite file. */
    public boolean postgresql() {
        return database.startsWith(POSTGRESQL_PREFIX);
    }

    /** The database for messages: the URL without its query (which may carry a role or options), or the file. */
    public String describe() {
        int query = database.indexOf('?');
        return postgresql() && query >= 0 ? database.substring(0, query) : database;
    }

    @Override
    public String toString() {
        return "StoreSettings[" + describe() + ", pool " + poolSize + "]";
    }
}
