package org.directmilter.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.directmilter.resolver.cache.CacheSettings;
import org.directmilter.resolver.cache.CachedCertLookup;
import org.directmilter.resolver.dns.DnsCertLookup;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints discovery figures: cold lookups per second against a local BIND, and warm-cache latency and
 * throughput. A measurement, not a timed test: it only asserts that every lookup found its certificate.
 */
@Tag("integration")
class DiscoveryBenchmarkIT {

    private static final int ADDRESSES = 200;
    private static final Predicate<X509Certificate> ANY = c -> true;

    @Test
    void coldAndWarmLookups() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < ADDRESSES; i++) {
            X509Certificate cert = TestCertificates.valid("user" + i + "@bench.test");
            lines.add("user" + i + " IN CERT PKIX 0 0 " + Base64.getEncoder().encodeToString(cert.getEncoded()));
        }
        Path dir = Files.createTempDirectory(Path.of("target"), "named-bench-").toAbsolutePath();
        dir.toFile().setExecutable(true, false);
        try (NamedServer named = NamedServer.start(dir, "  recursion no;\n",
                Map.of("bench.test", "type primary; file \"bench.test.zone\";"),
                Map.of("bench.test.zone", NamedServer.zone("bench.test", 60, lines)))) {
            ResolverSettings settings = ResolverSettings.defaults(List.of(named.address()))
                    .withTimeout(Duration.ofSeconds(2), 1);
            CertLookup dns = DnsCertLookup.create(settings);

            // cold: every discovery asks BIND (sequential, then 8 threads)
            CertificateDiscovery uncached = new CertificateDiscovery(dns, OwnerNameMode.BOTH);
            uncached.discover("user0@bench.test", ANY); // JIT and connection warm-up
            long start = System.nanoTime();
            for (int i = 0; i < ADDRESSES; i++) {
                assertThat(uncached.discover("user" + i + "@bench.test", ANY)).isInstanceOf(DiscoveryResult.Found.class);
            }
            double coldSequential = ADDRESSES / seconds(start);
            double coldParallel = parallel(uncached, 8, 5);

            // warm: every owner name already cached
            CachedCertLookup cache = new CachedCertLookup(dns, CacheSettings.DEFAULTS);
            CertificateDiscovery cached = new CertificateDiscovery(cache, OwnerNameMode.BOTH);
            for (int i = 0; i < ADDRESSES; i++) {
                assertThat(cached.discover("user" + i + "@bench.test", ANY)).isInstanceOf(DiscoveryResult.Found.class);
            }
            int rounds = 2_000;
            for (int r = 0; r < rounds / 4; r++) { // warm-up
                for (int i = 0; i < ADDRESSES; i++) {
                    cached.discover("user" + i + "@bench.test", ANY);
                }
            }
            start = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < ADDRESSES; i++) {
                    cached.discover("user" + i + "@bench.test", ANY);
                }
            }
            double warmSeconds = seconds(start);
            long warmLookups = (long) rounds * ADDRESSES;
            double warmParallel = parallel(cached, Runtime.getRuntime().availableProcessors(), 500);

            System.out.printf("%ndiscovery benchmark (%d addresses, local BIND on 127.0.0.1, %d CPUs)%n",
                    ADDRESSES, Runtime.getRuntime().availableProcessors());
            System.out.printf("  cold, 1 thread:   %8.0f lookups/s%n", coldSequential);
            System.out.printf("  cold, 8 threads:  %8.0f lookups/s%n", coldParallel);
            System.out.printf("  warm, 1 thread:   %8.0f lookups/s, %.2f us per lookup%n",
                    warmLookups / warmSeconds, warmSeconds * 1e6 / warmLookups);
            System.out.printf("  warm, %d threads:  %8.0f lookups/s%n", Runtime.getRuntime().availableProcessors(),
                    warmParallel);
            System.out.println("  cache: " + cache.statistics());
            assertThat(cache.statistics().loads()).isEqualTo(ADDRESSES);
        }
    }

    /** Lookups per second with {@code threads} threads, each discovering every address {@code rounds} times. */
    private static double parallel(CertificateDiscovery discovery, int threads, int rounds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    int found = 0;
                    for (int r = 0; r < rounds; r++) {
                        for (int i = 0; i < ADDRESSES; i++) {
                            if (discovery.discover("user" + i + "@bench.test", ANY) instanceof DiscoveryResult.Found) {
                                found++;
                            }
                        }
                    }
                    return found;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get()).isEqualTo(rounds * ADDRESSES);
            }
            return (double) threads * rounds * ADDRESSES / seconds(start);
        } finally {
            pool.shutdownNow();
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
