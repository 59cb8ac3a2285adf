package org.directmilter.crypto.trust;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.io.ByteArrayInputStream;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.directmilter.crypto.text.LogSafe;
import org.directmilter.crypto.trust.FetchException.Category;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CRLs and issuer certificates over HTTP, cached, each fetch within the timeout and the message's
 * budget. A CRL is fetched again at its nextUpdate; while a newer one cannot be had, the one held keeps
 * being offered until its nextUpdate plus the grace ({@link Revocation} decides whether it still counts).
 * A failed fetch is remembered for {@link TrustSettings#failureCacheTime()}, so a dead server is not
 * asked again for every message. No lock is held while fetching.
 */
final class Network {

    private static final Logger log = LoggerFactory.getLogger(Network.class);
    private static final int MAX_ENTRIES = 10_000;

    /** The CRL last had from a URL (or none) and the failure of the latest attempt (or none). */
    private record HeldCrl(X509CRL crl, FetchException failure, Instant refreshAt, Instant keepUntil) {
    }

    /** Issuer certificates had from a URL, or why none could be had. */
    private record HeldIssuers(List<X509Certificate> certificates, FetchException failure, Instant keepUntil) {
    }

    private final TrustSettings settings;
    private final Clock clock;
    private final HttpFetcher http;
    private final Cache<String, HeldCrl> crls;
    private final Cache<String, HeldIssuers> issuers;
    private final TrustListener listener;

    Network(TrustSettings settings, Clock clock, TrustListener listener) {
        this.settings = settings;
        this.clock = clock;
        this.listener = listener;
        this.http = new HttpFetcher(settings.fetchTimeout(), settings.allowedHosts());
        this.crls = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).ticker(() -> nanos(clock.instant()))
                .expireAfter(Expiry.<String, HeldCrl>writing((url, held) -> untilNow(held.keepUntil())))
                .build();
        this.issuers = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).ticker(() -> nanos(clock.instant()))
                .expireAfter(Expiry.<String, HeldIssuers>writing((url, held) -> untilNow(held.keepUntil())))
                .build();
    }

    /** The newest CRL had from {@code url}, possibly past its nextUpdate; else why there is none. */
    X509CRL crl(String url, ValidationBudget budget) throws FetchException {
        Instant now = clock.instant();
        HeldCrl held = crls.getIfPresent(url);
        if (held != null && now.isBefore(held.refreshAt())) {
            if (held.crl() != null) {
                return held.crl();
            }
            throw held.failure().again();
        }
        long start = System.nanoTime();
        try {
            X509CRL fresh = fetchCrl(url, budget);
            heard(TrustListener.Fetch.CRL, null, start);
            Instant next = fresh.getNextUpdate().toInstant();
            Instant refresh = latest(earliest(next, now.plus(settings.maxCacheTime())),
                    now.plus(settings.failureCacheTime()));
            crls.put(url, new HeldCrl(fresh, null, refresh, latest(refresh, next.plus(settings.crlGrace()))));
            return fresh;
        } catch (FetchException e) {
            heard(TrustListener.Fetch.CRL, e, start);
            X509CRL previous = held == null ? null : held.crl();
            if (!e.ours()) {
                Instant retry = now.plus(settings.failureCacheTime());
                crls.put(url, new HeldCrl(previous, e, retry, held == null ? retry : latest(retry, held.keepUntil())));
            }
            if (previous != null) {
                return previous;
            }
            throw e;
        }
    }

    /** Certificates published at an AIA caIssuers {@code url} (DER, PEM or PKCS#7), cached. */
    List<X509Certificate> certificates(String url, ValidationBudget budget) throws FetchException {
        HeldIssuers held = issuers.getIfPresent(url);
        if (held != null) {
            if (held.failure() != null) {
                throw held.failure().again();
            }
            return held.certificates();
        }
        Instant now = clock.instant();
        long start = System.nanoTime();
        try {
            List<X509Certificate> found;
            try {
                found = Certificates.parse(fetch(url, budget));
            } catch (CertificateException e) {
                throw failed(url, new FetchException(Category.UNREADABLE, e.getMessage()));
            }
            heard(TrustListener.Fetch.AIA, null, start);
            issuers.put(url, new HeldIssuers(List.copyOf(found), null, now.plus(settings.maxCacheTime())));
            return found;
        } catch (FetchException e) {
            heard(TrustListener.Fetch.AIA, e, start);
            if (!e.ours()) {
                issuers.put(url, new HeldIssuers(null, e, now.plus(settings.failureCacheTime())));
            }
            throw e;
        }
    }

    private X509CRL fetchCrl(String url, ValidationBudget budget) throws FetchException {
        byte[] body = fetch(url, budget);
        try {
            X509CRL crl = (X509CRL) Certificates.factory().generateCRL(new ByteArrayInputStream(body));
            if (crl.getNextUpdate() == null) {
                throw failed(url, new FetchException(Category.UNREADABLE, "CRL has no nextUpdate"));
            }
            return crl;
        } catch (CRLException | CertificateException | RuntimeException e) {
            throw failed(url, new FetchException(Category.UNREADABLE, "not a CRL (" + e.getMessage() + ")"));
        }
    }

    private byte[] fetch(String url, ValidationBudget budget) throws FetchException {
        String refusal = http.refusal(url);
        if (refusal != null) {
            throw new FetchException(Category.NOT_ALLOWED, refusal);
        }
        Duration left = budget.claimFetch();
        if (left.isZero()) {
            throw new FetchException(Category.BUDGET_SPENT, "fetch budget of this message exhausted");
        }
        Duration timeout = left.compareTo(settings.fetchTimeout()) < 0 ? left : settings.fetchTimeout();
        log.debug("fetching {} (timeout {} ms)", LogSafe.escape(url), timeout.toMillis());
        long start = System.nanoTime();
        try {
            return http.get(url, timeout, settings.maxFetchBytes());
        } catch (FetchException e) {
            throw e.ours() ? e : failed(url, e);
        } finally {
            budget.fetched(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Tells the listener of one fetch tried since {@code start} (System.nanoTime), failed when {@code e} is set. */
    private void heard(TrustListener.Fetch what, FetchException e, long start) {
        listener.fetched(what, Optional.ofNullable(e).map(f -> f.category().name().toLowerCase(Locale.ROOT)),
                Duration.ofNanos(System.nanoTime() - start));
    }

    private static FetchException failed(String url, FetchException e) {
        log.warn("fetch of {} failed: {}", LogSafe.escape(url), LogSafe.escape(e.getMessage()));
        return e;
    }

    private Duration untilNow(Instant until) {
        Duration left = Duration.between(clock.instant(), until);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
