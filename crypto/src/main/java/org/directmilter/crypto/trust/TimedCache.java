package org.directmilter.crypto.trust;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** A Caffeine cache of fetch results, each kept until its own expiry instant (a CRL: its nextUpdate). */
final class TimedCache<T> {

    /** A fetched value, or the reason the fetch failed; both expire. */
    record Entry<T>(T value, String failure, Instant expires) {
        static <T> Entry<T> ok(T value, Instant expires) {
            return new Entry<>(value, null, expires);
        }

        static <T> Entry<T> failed(String reason, Instant expires) {
            return new Entry<>(null, reason, expires);
        }
    }

    private final Clock clock;
    private final Cache<String, Entry<T>> cache;

    TimedCache(Clock clock, long maxEntries) {
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .ticker(() -> nanos(clock.instant()))
                .expireAfter(new Expiry<String, Entry<T>>() {
                    @Override
                    public long expireAfterCreate(String key, Entry<T> value, long now) {
                        return Math.max(0, nanos(value.expires()) - now);
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry<T> value, long now, long current) {
                        return expireAfterCreate(key, value, now);
                    }

                    @Override
                    public long expireAfterRead(String key, Entry<T> value, long now, long current) {
                        return current;
                    }
                })
                .build();
    }

    Entry<T> get(String key) {
        Entry<T> e = cache.getIfPresent(key);
        return e != null && e.expires().isAfter(clock.instant()) ? e : null;
    }

    void put(String key, Entry<T> entry) {
        cache.put(key, entry);
    }

    Instant now() {
        return clock.instant();
    }

    Instant inAtMost(Duration d) {
        return clock.instant().plus(d);
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
