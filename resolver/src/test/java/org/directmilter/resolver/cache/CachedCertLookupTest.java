package org.directmilter.resolver.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.directmilter.resolver.CertLookup;
import org.directmilter.resolver.DiscoveryListener;
import org.directmilter.resolver.OwnerLookup;
import org.junit.jupiter.api.Test;

class CachedCertLookupTest {

    private static final CacheSettings BOUNDS = new CacheSettings(100, Duration.ofSeconds(10), Duration.ofSeconds(600),
            Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(2));

    private final AtomicLong now = new AtomicLong();
    private final Ticker ticker = now::get;
    private final AtomicInteger loads = new AtomicInteger();

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private CachedCertLookup cacheAnswering(OwnerLookup answer) {
        CertLookup counting = owner -> {
            loads.incrementAndGet();
            return answer;
        };
        return new CachedCertLookup(counting, BOUNDS, ticker);
    }

    private static OwnerLookup published(long ttl) {
        return new OwnerLookup.Published("bob.example.org.", List.of(), List.of(), ttl, List.of());
    }

    @Test
    void positiveAnswerLivesForItsTtlThenIsQueriedAgain() {
        CachedCertLookup cache = cacheAnswering(published(300));
        cache.lookup("bob.example.org.");
        advance(Duration.ofSeconds(299));
        cache.lookup("bob.example.org.");
        assertThat(loads).hasValue(1);

        advance(Duration.ofSeconds(2));
        cache.lookup("bob.example.org.");
        assertThat(loads).hasValue(2);
        assertThat(cache.statistics().hits()).isEqualTo(1);
        assertThat(cache.statistics().misses()).isEqualTo(2);
        assertThat(cache.statistics().loads()).isEqualTo(2);
    }

    @Test
    void theListenerHearsEveryHitAndMissTheStatisticsCount() {
        AtomicInteger hits = new AtomicInteger();
        AtomicInteger misses = new AtomicInteger();
        DiscoveryListener listener = new DiscoveryListener() {
            @Override
            public void cacheHits(int count) {
                hits.addAndGet(count);
            }

            @Override
            public void cacheMisses(int count) {
                misses.addAndGet(count);
            }
        };
        CachedCertLookup cache = new CachedCertLookup(owner -> published(300), BOUNDS, ticker, listener);

        cache.lookup("bob.example.org.");
        cache.lookup("BOB.example.org.");
        cache.lookup("bob.example.org.");
        cache.lookup("alice.example.org.");

        assertThat(misses).hasValue(2);
        assertThat(hits).hasValue(2);
        assertThat(cache.statistics().hits()).isEqualTo(2);
        assertThat(cache.statistics().misses()).isEqualTo(2);
    }

    @Test
    void ttlIsClampedToTheBounds() {
        assertThat(CachedCertLookup.lifetime(published(1), BOUNDS)).isEqualTo(Duration.ofSeconds(10));
        assertThat(CachedCertLookup.lifetime(published(86_400), BOUNDS)).isEqualTo(Duration.ofSeconds(600));
        assertThat(CachedCertLookup.lifetime(published(120), BOUNDS)).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void negativeAnswersLiveForTheSoaMinimumClamped() {
        assertThat(CachedCertLookup.lifetime(none(30), BOUNDS)).isEqualTo(Duration.ofSeconds(30));
        assertThat(CachedCertLookup.lifetime(none(1), BOUNDS)).isEqualTo(Duration.ofSeconds(5));
        assertThat(CachedCertLookup.lifetime(none(3600), BOUNDS)).isEqualTo(Duration.ofSeconds(60));
        assertThat(CachedCertLookup.lifetime(none(-1), BOUNDS)).isEqualTo(Duration.ofSeconds(5));

        CachedCertLookup cache = cacheAnswering(none(30));
        cache.lookup("nobody.example.org.");
        advance(Duration.ofSeconds(29));
        cache.lookup("nobody.example.org.");
        assertThat(loads).hasValue(1);
        advance(Duration.ofSeconds(2));
        cache.lookup("nobody.example.org.");
        assertThat(loads).hasValue(2);
    }

    @Test
    void temporaryFailuresAreRememberedOnlyBriefly() {
        CachedCertLookup cache = cacheAnswering(new OwnerLookup.Unavailable("bob.example.org.", "SERVFAIL", List.of()));
        cache.lookup("bob.example.org.");
        cache.lookup("bob.example.org.");
        assertThat(loads).hasValue(1);
        advance(Duration.ofMillis(2001));
        cache.lookup("bob.example.org.");
        assertThat(loads).hasValue(2);
    }

    @Test
    void keysAreCaseInsensitive() {
        CachedCertLookup cache = cacheAnswering(published(300));
        cache.lookup("Bob.Example.ORG.");
        cache.lookup("bob.example.org.");
        assertThat(loads).hasValue(1);
    }

    @Test
    void concurrentLookupsOfOneNameShareOneQuery() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CertLookup slow = owner -> {
            loads.incrementAndGet();
            loading.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return published(300);
        };
        CachedCertLookup cache = new CachedCertLookup(slow, BOUNDS, ticker);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<OwnerLookup>> results = new ArrayList<>();
            results.add(pool.submit(() -> cache.lookup("bob.example.org.")));
            assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 7; i++) {
                results.add(pool.submit(() -> cache.lookup("bob.example.org.")));
            }
            release.countDown();
            OwnerLookup first = results.get(0).get(10, TimeUnit.SECONDS);
            for (Future<OwnerLookup> f : results) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(first);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(loads).hasValue(1);
    }

    private static OwnerLookup none(long negativeTtl) {
        return new OwnerLookup.NonePublished("nobody.example.org.", "NXDOMAIN", negativeTtl, List.of());
    }
}
