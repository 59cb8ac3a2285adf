package org.directmilter.milter.tracking;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link TrackingStore} on a relational database through a small connection pool: an SQLite file (the
 * embedded default) or PostgreSQL (several nodes sharing one), with one schema ({@link Migrations}) and the
 * differences in {@link Dialect}. Times are kept to the millisecond.
 *
 * <p>What a report does to a recipient ({@link #correlate}):
 * <ul>
 * <li>{@code processed}: a plain request is complete on it — the recipient becomes {@link RecipientState#PROCESSED}
 *     <em>and final</em> ({@link Correlation.Completed}); so PROCESSED is final exactly when the message did not
 *     ask for timely and reliable delivery, which {@link RecipientTrack#finalAt()} shows. Under timely and
 *     reliable it becomes PROCESSED and waits for the dispatched MDN until {@code dispatchedBy}
 *     ({@link Correlation.Progress}).
 * <li>{@code dispatched}: final as {@link RecipientState#DISPATCHED} ({@link Correlation.Completed}), also when no
 *     processed MDN came first — a dispatched MDN says the message was processed and delivered, and waiting
 *     for a processed one that may never come would time out a recipient that was served; the processed
 *     time then stays empty.
 * <li>{@code failed} (a failed MDN or a failure DSN): final as {@link RecipientState#FAILED}.
 * <li>anything for a recipient already final, or the same processed MDN again: {@link Correlation.Duplicate},
 *     nothing changes — the originator sees one final outcome per recipient (T4).
 * </ul>
 * Message-IDs are compared as written, angle brackets added when missing; recipients in lower case.
 *
 * <p>{@link #settleOverdue} claims one recipient per transaction: PostgreSQL locks its row ({@code FOR UPDATE
 * SKIP LOCKED}: other nodes claim other rows, and writes to other rows go on), SQLite holds the file's one
 * write lock ({@code BEGIN IMMEDIATE}) while the handler runs. So on SQLite a handler must not wait for
 * anything that writes to this store — e.g. for the milter's own pass of the notice it submits, if the MTA
 * ran it synchronously — or that writer waits up to the busy timeout (10 s) and fails. A crash after the
 * handler returned and before the commit leaves the recipient to be claimed again: the notice may then go
 * out twice, never zero times.
 */
public final class JdbcTrackingStore implements TrackingStore {

    /** Between attempts to open a database another node holds for a moment. */
    private static final long BUSY_RETRY_MILLIS = 20;

    private final HikariDataSource pool;
    private final Dialect dialect;
    private final String description;

    private JdbcTrackingStore(HikariDataSource pool, Dialect dialect, String description) {
        this.pool = pool;
        this.dialect = dialect;
        this.description = description;
    }

    /**
     * Opens the store, creating or migrating its schema; fails (naming the database, never a password) when
     * it cannot be reached, the SQLite file is missing and may not be created, or the schema is newer than
     * this code.
     */
    public static JdbcTrackingStore open(StoreSettings settings) {
        Dialect dialect = Dialect.of(settings);
        if (dialect == Dialect.SQLITE && !settings.createIfMissing() && !Files.exists(Path.of(settings.database()))) {
            throw new TrackingException("tracking database " + settings.database()
                    + " does not exist (the daemon creates it when it starts)", null);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("tracking");
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(1);
        // a pool that cannot hand out a connection in this time fails the call rather than hold the message
        config.setConnectionTimeout(15_000);
        dialect.configure(config, settings);
        HikariDataSource pool = openPool(config, dialect, settings);
        JdbcTrackingStore store = new JdbcTrackingStore(pool, dialect, settings.describe());
        try (Connection connection = pool.getConnection()) {
            Migrations.apply(connection, dialect);
            return store;
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw new TrackingException("tracking database " + settings.describe() + ": the schema cannot be set up: "
                    + reason(e), e);
        }
    }

    /**
     * The pool, with its first connection. Two nodes opening one new SQLite file at once (or the daemon and
     * {@code direct-milter check}): the first connection turns the file to WAL, which needs it alone, and
     * SQLite answers the other's {@code journal_mode} BUSY at once instead of waiting out the busy timeout
     * (about one start in seventy in {@code TrackingStoreContract}'s race). So a busy database is tried again
     * for as long as that timeout; any other failure ends the opening at once.
     */
    private static HikariDataSource openPool(HikariConfig config, Dialect dialect, StoreSettings settings) {
        long deadline = System.nanoTime() + Dialect.BUSY_TIMEOUT_MILLIS * 1_000_000L;
        while (true) {
            try {
                return new HikariDataSource(config);
            } catch (RuntimeException e) {
                if (!busy(dialect, e) || System.nanoTime() - deadline > 0) {
                    throw new TrackingException("tracking database " + settings.describe() + " cannot be opened: "
                            + reason(e), e);
                }
            }
            try {
                Thread.sleep(BUSY_RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrackingException("tracking database " + settings.describe()
                        + " cannot be opened: interrupted while it was busy", e);
            }
        }
    }

    private static boolean busy(Dialect dialect, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && dialect.busy(sql)) {
                return true;
            }
        }
        return false;
    }

    /** The database, for messages: the file or the URL without its query. */
    public String description() {
        return description;
    }

    @Override
    public void record(TrackedMessage message) {
        String id = messageId(message.messageId());
        write("record " + id, connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tracked_message "
                    + "(message_id, sender, timely_reliable, sent_at, processed_by, dispatched_by, queue_id) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING")) {
                insert.setString(1, id);
                insert.setString(2, message.sender());
                insert.setInt(3, message.timelyAndReliable() ? 1 : 0);
                insert.setLong(4, message.sent().toEpochMilli());
                insert.setLong(5, message.processedBy().toEpochMilli());
                setInstant(insert, 6, message.dispatchedBy());
                insert.setString(7, message.queueId());
                if (insert.executeUpdate() == 0) {
                    return null; // recorded before: the first record stands
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tracked_recipient "
                    + "(message_id, position, recipient, state, due_at, detail) VALUES (?, ?, ?, ?, ?, '')")) {
                int position = 0;
                for (String recipient : recipients(message.recipients())) {
                    insert.setString(1, id);
                    insert.setInt(2, position++);
                    insert.setString(3, recipient);
                    insert.setString(4, RecipientState.PENDING.name());
                    insert.setLong(5, message.processedBy().toEpochMilli());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    @Override
    public Correlation correlate(Report report) {
        String id = messageId(report.originalMessageId());
        String recipient = report.recipient().toLowerCase(Locale.ROOT);
        return write("correlate a report on " + id, connection -> {
            Optional<RecipientRow> found = recipientRow(connection, id, recipient);
            if (found.isEmpty()) {
                return new Correlation.Unknown();
            }
            RecipientRow row = found.get();
            if (row.finalAt || report.kind() == Report.Kind.PROCESSED && row.state == RecipientState.PROCESSED) {
                return new Correlation.Duplicate(row.state);
            }
            long at = report.at().toEpochMilli();
            String detail = report.detail();
            return switch (report.kind()) {
                case PROCESSED -> {
                    if (row.timelyAndReliable) {
                        update(connection, id, recipient, RecipientState.PROCESSED, row.dispatchedBy, null, detail,
                                "processed_at", at);
                        yield new Correlation.Progress(RecipientState.PROCESSED);
                    }
                    update(connection, id, recipient, RecipientState.PROCESSED, null, at, detail, "processed_at", at);
                    yield new Correlation.Completed(RecipientState.PROCESSED);
                }
                case DISPATCHED -> {
                    update(connection, id, recipient, RecipientState.DISPATCHED, null, at, detail, "dispatched_at", at);
                    yield new Correlation.Completed(RecipientState.DISPATCHED);
                }
                case FAILED -> {
                    update(connection, id, recipient, RecipientState.FAILED, null, at, detail, null, at);
                    yield new Correlation.Completed(RecipientState.FAILED);
                }
            };
        });
    }

    @Override
    public int settleOverdue(Instant now, int limit, OverdueHandler handler) {
        Set<List<String>> failed = new HashSet<>();
        int marked = 0;
        // one transaction per recipient: a handler that throws undoes nothing of the others, and a SQLite
        // writer holds the write lock for one notice at a time, not for the whole batch
        while (marked + failed.size() < limit && !Thread.currentThread().isInterrupted()) {
            Boolean settled = write("settle overdue recipients", connection -> settleOne(connection, now, failed, handler));
            if (settled == null) {
                break;
            }
            if (settled) {
                marked++;
            }
        }
        return marked;
    }

    /** Claims one overdue recipient not in {@code failed}: true if settled, false if its handler threw, null if none. */
    private Boolean settleOne(Connection connection, Instant now, Set<List<String>> failed, OverdueHandler handler)
            throws SQLException {
        List<String> key = null;
        long deadline = 0;
        RecipientState state = null;
        try (PreparedStatement select = connection.prepareStatement("SELECT message_id, recipient, state, due_at "
                + "FROM tracked_recipient WHERE due_at IS NOT NULL AND due_at < ? "
                + "ORDER BY due_at, message_id, recipient LIMIT ?" + dialect.claim)) {
            select.setLong(1, now.toEpochMilli());
            select.setInt(2, failed.size() + 1);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next() && key == null) {
                    List<String> candidate = List.of(rows.getString(1), rows.getString(2));
                    if (!failed.contains(candidate)) {
                        key = candidate;
                        state = RecipientState.valueOf(rows.getString(3));
                        deadline = rows.getLong(4);
                    }
                }
            }
        }
        if (key == null) {
            return null;
        }
        TrackedMessage message = message(connection, key.get(0)).orElseThrow(() ->
                new SQLException("a recipient row without its message"));
        Report.Kind missing = state == RecipientState.PENDING ? Report.Kind.PROCESSED : Report.Kind.DISPATCHED;
        Overdue overdue = new Overdue(message, key.get(1), missing, Instant.ofEpochMilli(deadline));
        try {
            handler.notify(overdue);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt(); // the daemon is stopping: settleOverdue stops here
            }
            failed.add(key);
            return false; // nothing was written: the row stays as it was for the next call
        }
        long at = now.toEpochMilli();
        String detail = "no " + missing.name().toLowerCase(Locale.ROOT) + " MDN by " + overdue.deadline();
        update(connection, key.get(0), key.get(1), RecipientState.TIMED_OUT, null, at, detail, null, at);
        return true;
    }

    @Override
    public Optional<MessageTrack> find(String messageId) {
        String id = messageId(messageId);
        return read("find " + id, connection -> {
            Optional<TrackedMessage> message = message(connection, id);
            if (message.isEmpty()) {
                return Optional.<MessageTrack>empty();
            }
            return Optional.of(new MessageTrack(message.get(), recipientTracks(connection, id)));
        });
    }

    @Override
    public List<MessageTrack> pending(int limit) {
        return read("list the pending messages", connection -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT m.message_id FROM tracked_message m "
                    + "WHERE EXISTS (SELECT 1 FROM tracked_recipient r WHERE r.message_id = m.message_id "
                    + "AND r.due_at IS NOT NULL) ORDER BY m.sent_at, m.message_id LIMIT ?")) {
                select.setInt(1, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
            }
            List<MessageTrack> tracks = new ArrayList<>();
            for (String id : ids) {
                Optional<TrackedMessage> message = message(connection, id);
                if (message.isPresent()) {
                    tracks.add(new MessageTrack(message.get(), recipientTracks(connection, id)));
                }
            }
            return tracks;
        });
    }

    @Override
    public int purge(Instant before) {
        return write("purge", connection -> {
            String old = "SELECT m.message_id FROM tracked_message m WHERE m.sent_at < ? AND NOT EXISTS "
                    + "(SELECT 1 FROM tracked_recipient r WHERE r.message_id = m.message_id AND r.due_at IS NOT NULL)";
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM tracked_recipient WHERE message_id IN (" + old + ")")) {
                delete.setLong(1, before.toEpochMilli());
                delete.executeUpdate();
            }
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM tracked_message WHERE message_id IN (" + old + ")")) {
                delete.setLong(1, before.toEpochMilli());
                return delete.executeUpdate();
            }
        });
    }

    /** Whether the database answers; for {@code check}. Throws {@link TrackingException} when not. */
    public void verify() {
        read("read the schema version", connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT MAX(version) FROM schema_version");
                 ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        });
    }

    @Override
    public void close() {
        pool.close();
    }

    // ---- rows ----

    /** What correlate needs of a recipient and its message, read with the row locked. */
    private record RecipientRow(RecipientState state, boolean finalAt, boolean timelyAndReliable, Long dispatchedBy) {}

    private Optional<RecipientRow> recipientRow(Connection connection, String id, String recipient) throws SQLException {
        // the recipient row alone is locked (PostgreSQL: FOR UPDATE may not name a nullable join side, and the
        // message row is never changed); the message's own columns never change after record
        try (PreparedStatement select = connection.prepareStatement("SELECT state, final_at FROM tracked_recipient "
                + "WHERE message_id = ? AND recipient = ?" + dialect.forUpdate)) {
            select.setString(1, id);
            select.setString(2, recipient);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                RecipientState state = RecipientState.valueOf(rows.getString(1));
                rows.getLong(2);
                boolean isFinal = !rows.wasNull();
                TrackedMessage message = message(connection, id).orElseThrow(() ->
                        new SQLException("a recipient row without its message"));
                return Optional.of(new RecipientRow(state, isFinal, message.timelyAndReliable(),
                        message.dispatchedBy().map(Instant::toEpochMilli).orElse(null)));
            }
        }
    }

    private static void update(Connection connection, String id, String recipient, RecipientState state, Long dueAt,
                               Long finalAt, String detail, String timeColumn, long at) throws SQLException {
        String setTime = timeColumn == null ? "" : ", " + timeColumn + " = ?";
        try (PreparedStatement update = connection.prepareStatement("UPDATE tracked_recipient SET state = ?, "
                + "due_at = ?, final_at = ?, detail = ?" + setTime + " WHERE message_id = ? AND recipient = ?")) {
            int i = 1;
            update.setString(i++, state.name());
            setLong(update, i++, dueAt);
            setLong(update, i++, finalAt);
            update.setString(i++, detail);
            if (timeColumn != null) {
                update.setLong(i++, at);
            }
            update.setString(i++, id);
            update.setString(i, recipient);
            if (update.executeUpdate() != 1) {
                throw new SQLException("the recipient row changed under its lock");
            }
        }
    }

    private static Optional<TrackedMessage> message(Connection connection, String id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT sender, timely_reliable, sent_at, "
                + "processed_by, dispatched_by, queue_id FROM tracked_message WHERE message_id = ?")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                String sender = rows.getString(1);
                boolean timelyAndReliable = rows.getInt(2) != 0;
                Instant sent = Instant.ofEpochMilli(rows.getLong(3));
                Instant processedBy = Instant.ofEpochMilli(rows.getLong(4));
                Optional<Instant> dispatchedBy = instant(rows, 5);
                String queueId = rows.getString(6);
                List<String> recipients = new ArrayList<>();
                for (RecipientTrack track : recipientTracks(connection, id)) {
                    recipients.add(track.recipient());
                }
                return Optional.of(new TrackedMessage(id, sender, recipients, timelyAndReliable, sent, processedBy,
                        dispatchedBy, queueId));
            }
        }
    }

    private static List<RecipientTrack> recipientTracks(Connection connection, String id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT recipient, state, processed_at, "
                + "dispatched_at, final_at, detail FROM tracked_recipient WHERE message_id = ? ORDER BY position")) {
            select.setString(1, id);
            try (ResultSet rows = select.executeQuery()) {
                List<RecipientTrack> tracks = new ArrayList<>();
                while (rows.next()) {
                    tracks.add(new RecipientTrack(rows.getString(1), RecipientState.valueOf(rows.getString(2)),
                            instant(rows, 3), instant(rows, 4), instant(rows, 5), rows.getString(6)));
                }
                return tracks;
            }
        }
    }

    // ---- values ----

    /** A Message-ID as stored: trimmed, in angle brackets. */
    static String messageId(String messageId) {
        String id = messageId.strip();
        return id.startsWith("<") && id.endsWith(">") ? id : "<" + id + ">";
    }

    private static Set<String> recipients(List<String> recipients) {
        Set<String> unique = new LinkedHashSet<>();
        recipients.forEach(r -> unique.add(r.toLowerCase(Locale.ROOT)));
        return unique;
    }

    private static Optional<Instant> instant(ResultSet rows, int column) throws SQLException {
        long millis = rows.getLong(column);
        return rows.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    private static void setInstant(PreparedStatement statement, int index, Optional<Instant> value) throws SQLException {
        setLong(statement, index, value.map(Instant::toEpochMilli).orElse(null));
    }

    private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value);
        }
    }

    // ---- transactions ----

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T write(String what, Work<T> work) {
        return transaction(what, true, work);
    }

    private <T> T read(String what, Work<T> work) {
        return transaction(what, false, work);
    }

    /** Runs {@code work} in one transaction, committed if it returns, rolled back if anything throws. */
    private <T> T transaction(String what, boolean write, Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            dialect.begin(connection, write);
            try {
                T result = work.run(connection);
                dialect.commit(connection);
                return result;
            } catch (Throwable e) {
                // never back into the pool inside a transaction: a SQLite one would hold the write lock
                rollback(connection);
                throw e;
            }
        } catch (SQLException e) {
            throw new TrackingException("tracking database " + description + ": cannot " + what + ": "
                    + reason(e), e);
        }
    }

    /** A connection whose rollback failed is dropped from the pool rather than lent out mid-transaction. */
    private void rollback(Connection connection) {
        try {
            dialect.rollback(connection);
        } catch (SQLException e) {
            pool.evictConnection(connection);
        }
    }

    private static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
    }
}
