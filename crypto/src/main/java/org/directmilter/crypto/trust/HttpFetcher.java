package org.directmilter.crypto.trust;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounded HTTP GETs for CRLs and issuer certificates: only {@code http:} URLs, only allowed hosts, no
 * redirects, a size cap enforced while reading, and one deadline covering connect, answer and body.
 */
final class HttpFetcher {

    private final HttpClient client;
    private final Set<String> allowedHosts;

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
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "not a URL";
        }
        if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase("http")) {
            return "only http: URLs are fetched";
        }
        if (uri.getHost() == null) {
            return "no host in URL";
        }
        if (!allowedHosts.isEmpty() && !allowedHosts.contains(uri.getHost().toLowerCase(Locale.ROOT))) {
            return "host " + uri.getHost() + " is not in the allowed fetch hosts";
        }
        return null;
    }

    byte[] get(String url, Duration timeout, long maxBytes) throws IOException {
        String refusal = refusal(url);
        if (refusal != null) {
            throw new IOException(refusal);
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IOException("fetch budget exhausted");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request,
                info -> new CappedBody(info.statusCode() == 200 ? maxBytes : 0));
        HttpResponse<byte[]> response;
        try {
            response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IOException("no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String what = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
            throw new IOException(cause instanceof java.net.http.HttpTimeoutException
                    ? "no answer within " + timeout.toMillis() + " ms" : what);
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP status " + response.statusCode());
        }
        return response.body();
    }

    /** Collects the body, failing (and cancelling the transfer) beyond {@code maxBytes}. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long maxBytes;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        CappedBody(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : buffers) {
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
            if (bytes.size() > maxBytes && maxBytes > 0) {
                subscription.cancel();
                result.completeExceptionally(new IOException("answer larger than " + maxBytes + " bytes"));
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
