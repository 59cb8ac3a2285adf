package org.directmilter.crypto.trust;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.directmilter.crypto.trust.FetchException.Category;

/**
 * Bounded HTTP GETs for CRLs and issuer certificates: only {@code http:} URLs, only allowed hosts, no
 * redirects, a size cap enforced while reading, and one deadline covering connect, answer and body.
 *
 * <p>Nothing here is shared in a way that makes one fetch wait for another: the client is asynchronous
 * and no lock is held while a fetch runs. How many fetches run at once is capped in total and per host
 * with permits that are tried, never waited for: a validation that finds no permit free gets
 * {@link FetchException.Category#BUSY} at once instead of queueing behind a dead server.
 */
final class HttpFetcher {

    /** Fetches in flight at once, all hosts together. */
    static final int MAX_IN_FLIGHT = 32;
    /** Fetches in flight at once to one host. */
    static final int MAX_IN_FLIGHT_PER_HOST = 4;

    private final HttpClient client;
    private final Set<String> allowedHosts;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Map<String, Semaphore> perHost = new ConcurrentHashMap<>();

    HttpFetcher(Duration connectTimeout, Set<String> allowedHosts) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.allowedHosts = allowedHosts;
    }

    /** Refuses what must never be fetched; null when {@code url} may be fetched, else the reason. */
    String refusal(String url) {
        URI uri = parse(url);
        if (uri == null) {
            return "not a URL";
        }
        if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase("http")) {
            return "only http: URLs are fetched";
        }
        if (uri.getHost() == null) {
            return "no host in URL";
        }
        if (!allowedHosts.isEmpty() && !allowedHosts.contains(uri.getHost().toLowerCase(Locale.ROOT))) {
            return "host is not in FetchHosts";
        }
        return null;
    }

    /**
     * The scheme, host and port of an {@code http:} URL ({@code http://host:80}), lower-cased; null for
     * anything else. Two URLs with the same origin reach the same server.
     */
    static String origin(String url) {
        URI uri = parse(url);
        if (uri == null || uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase("http")
                || uri.getHost() == null) {
            return null;
        }
        return "http://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + (uri.getPort() < 0 ? 80 : uri.getPort());
    }

    private static URI parse(String url) {
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    byte[] get(String url, Duration timeout, long maxBytes) throws FetchException {
        String refusal = refusal(url);
        if (refusal != null) {
            throw new FetchException(Category.NOT_ALLOWED, refusal);
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new FetchException(Category.BUDGET_SPENT, "fetch budget exhausted");
        }
        URI uri = URI.create(url);
        Semaphore host = perHost.computeIfAbsent(uri.getHost().toLowerCase(Locale.ROOT),
                h -> new Semaphore(MAX_IN_FLIGHT_PER_HOST));
        if (!host.tryAcquire()) {
            throw new FetchException(Category.BUSY, MAX_IN_FLIGHT_PER_HOST + " fetches to this host in progress");
        }
        try {
            if (!inFlight.tryAcquire()) {
                throw new FetchException(Category.BUSY, MAX_IN_FLIGHT + " fetches in progress");
            }
            try {
                return send(uri, timeout, maxBytes);
            } finally {
                inFlight.release();
            }
        } finally {
            host.release();
        }
    }

    private byte[] send(URI uri, Duration timeout, long maxBytes) throws FetchException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        HttpResponse<byte[]> response;
        try {
            response = CappedBody.get(client, request, timeout, maxBytes);
        } catch (CappedBody.GetException e) {
            throw new FetchException(switch (e.failure()) {
                case TIMEOUT -> Category.TIMEOUT;
                case TOO_LARGE -> Category.TOO_LARGE;
                case UNREACHABLE -> Category.UNREACHABLE;
            }, e.getMessage());
        }
        if (response.statusCode() != 200) {
            throw new FetchException(Category.HTTP_ERROR, "HTTP status " + response.statusCode());
        }
        return response.body();
    }
}
