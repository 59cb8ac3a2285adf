package org.directmilter.crypto.trust;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** CRLs and issuer certificates over HTTP, cached, each fetch within the timeout and the budget. */
final class Network {

    private static final Logger LOG = LoggerFactory.getLogger(Network.class);

    private final TrustSettings settings;
    private final HttpFetcher http;
    private final TimedCache<X509CRL> crls;
    private final TimedCache<List<X509Certificate>> issuers;

    Network(TrustSettings settings, Clock clock) {
        this.settings = settings;
        this.http = new HttpFetcher(settings.fetchTimeout(), settings.allowedHosts());
        this.crls = new TimedCache<>(clock, 10_000);
        this.issuers = new TimedCache<>(clock, 10_000);
    }

    /** The CRL at {@code url}, from the cache until its nextUpdate; IOException says why there is none. */
    X509CRL crl(String url, FetchBudget budget) throws IOException {
        TimedCache.Entry<X509CRL> cached = crls.get(url);
        if (cached == null) {
            cached = fetchCrl(url, budget);
            if (cached == null) {
                throw new IOException("fetch budget exhausted before fetching " + url);
            }
            crls.put(url, cached);
        }
        if (cached.failure() != null) {
            throw new IOException(cached.failure());
        }
        return cached.value();
    }

    /** Certificates published at an AIA caIssuers {@code url} (DER, PEM or PKCS#7), cached. */
    List<X509Certificate> certificates(String url, FetchBudget budget) throws IOException {
        TimedCache.Entry<List<X509Certificate>> cached = issuers.get(url);
        if (cached == null) {
            cached = fetchCertificates(url, budget);
            if (cached == null) {
                throw new IOException("fetch budget exhausted before fetching " + url);
            }
            issuers.put(url, cached);
        }
        if (cached.failure() != null) {
            throw new IOException(cached.failure());
        }
        return cached.value();
    }

    private TimedCache.Entry<X509CRL> fetchCrl(String url, FetchBudget budget) {
        byte[] body;
        try {
            body = fetch(url, budget);
        } catch (BudgetSpent e) {
            return null;
        } catch (IOException e) {
            return failed(url, e.getMessage());
        }
        try {
            X509CRL crl = (X509CRL) Certificates.factory().generateCRL(new ByteArrayInputStream(body));
            if (crl.getNextUpdate() == null) {
                return failed(url, "CRL has no nextUpdate");
            }
            Instant until = crl.getNextUpdate().toInstant();
            Instant cap = crls.inAtMost(settings.maxCacheTime());
            return TimedCache.Entry.ok(crl, until.isBefore(cap) ? until : cap);
        } catch (CRLException | CertificateException | RuntimeException e) {
            return failed(url, "not a CRL (" + e.getMessage() + ")");
        }
    }

    private TimedCache.Entry<List<X509Certificate>> fetchCertificates(String url, FetchBudget budget) {
        try {
            byte[] body = fetch(url, budget);
            return TimedCache.Entry.ok(Certificates.parse(body), issuers.inAtMost(settings.maxCacheTime()));
        } catch (BudgetSpent e) {
            return null;
        } catch (IOException | CertificateException e) {
            return failed(url, e.getMessage());
        }
    }

    private byte[] fetch(String url, FetchBudget budget) throws IOException {
        String refusal = http.refusal(url);
        if (refusal != null) {
            throw new IOException(refusal);
        }
        Duration left = budget.remaining();
        if (left.isZero()) {
            throw new BudgetSpent();
        }
        Duration timeout = left.compareTo(settings.fetchTimeout()) < 0 ? left : settings.fetchTimeout();
        LOG.debug("fetching {} (timeout {} ms)", url, timeout.toMillis());
        return http.get(url, timeout, settings.maxFetchBytes());
    }

    private <T> TimedCache.Entry<T> failed(String url, String reason) {
        LOG.warn("fetch of {} failed: {}", url, reason);
        return TimedCache.Entry.failed(url + ": " + reason, crls.inAtMost(settings.failureCacheTime()));
    }

    /** The budget ran out before the fetch began: not a failure of the server, so not cached. */
    private static final class BudgetSpent extends IOException {
        BudgetSpent() {
            super("fetch budget exhausted");
        }
    }
}
