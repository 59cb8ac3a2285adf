package org.directmilter.milter.notify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code processed} MDNs already handed over for an attempt of a message that was then tempfailed
 * (another recipient's hand-off failed), so that the sender's retry does not send them again. Keyed by
 * the original Message-ID and the recipient; forgotten when the message is accepted, after
 * {@link #LIFETIME} (longer than an MTA keeps retrying) and, oldest first, beyond {@link #CAPACITY}
 * entries. It lives in memory only: after a daemon restart a retry sends those MDNs again. Thread-safe.
 */
public final class EarlierAttempts {

    /** How long a retry is waited for: Postfix and Sendmail give up after 5 days by default. */
    public static final Duration LIFETIME = Duration.ofDays(6);
    /** Entries kept at most; a partner that fills it only brings back duplicates, never loses an MDN. */
    public static final int CAPACITY = 20_000;

    /** The Message-ID by its digest: its length is the sender's choice, the memory's size must not be. */
    private record Key(String messageIdSha256, String recipient) {
        static Key of(String messageId, String recipient) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(messageId.getBytes(StandardCharsets.UTF_8));
                return new Key(HexFormat.of().formatHex(digest), recipient.toLowerCase(Locale.ROOT));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }
    }

    /** Insertion order is age order: every entry lives {@link #LIFETIME} from when it was added. */
    private final Map<Key, Instant> entries = new LinkedHashMap<>();
    private final Clock clock;
    private final int capacity;

    public EarlierAttempts(Clock clock) {
        this(clock, CAPACITY);
    }

    EarlierAttempts(Clock clock, int capacity) {
        this.clock = clock;
        this.capacity = capacity;
    }

    /** Whether the MDN about {@code recipient} of message {@code messageId} went out on an earlier attempt. */
    public synchronized boolean sent(String messageId, String recipient) {
        expire();
        return entries.containsKey(Key.of(messageId, recipient));
    }

    /** Remembers that the MDN about {@code recipient} went out for an attempt that was not accepted. */
    public synchronized void remember(String messageId, String recipient) {
        expire();
        Key key = Key.of(messageId, recipient);
        entries.remove(key); // re-inserted: its lifetime starts again
        entries.put(key, clock.instant().plus(LIFETIME));
        while (entries.size() > capacity) {
            Iterator<Key> oldest = entries.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    /** Forgets {@code recipient} of {@code messageId}: the message was accepted, no retry will come. */
    public synchronized void forget(String messageId, String recipient) {
        entries.remove(Key.of(messageId, recipient));
    }

    synchronized int size() {
        expire();
        return entries.size();
    }

    private void expire() {
        Instant now = clock.instant();
        Iterator<Instant> oldest = entries.values().iterator();
        while (oldest.hasNext() && !oldest.next().isAfter(now)) {
            oldest.remove();
        }
    }
}
