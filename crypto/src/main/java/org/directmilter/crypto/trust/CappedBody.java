package org.directmilter.crypto.trust;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An HTTP body collected into memory that fails (and cancels the transfer) beyond {@code maxBytes}, so
 * a server cannot make the daemon buffer more than it allows. {@code maxBytes} 0: no limit is checked
 * (for answers whose body is thrown away, such as errors).
 */
public final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {

    /** The failure the body completes with when it grew beyond the cap. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long maxBytes) {
            super("answer larger than " + maxBytes + " bytes");
        }
    }

    /** Why {@link #get} has no answer to give. */
    public enum Failure { TIMEOUT, TOO_LARGE, UNREACHABLE }

    /** {@link #get}'s failure: a kind the caller maps to its own categories, and a text for the operator. */
    public static final class GetException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Failure failure;

        GetException(Failure failure, String message, Throwable cause) {
            super(message, cause);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }

    /**
     * Sends {@code request} and waits at most {@code timeout} for headers and body together (the
     * request's own timeout covers the headers only), keeping at most {@code maxBytes} of a 200's body;
     * other statuses come back with an empty body.
     */
    public static HttpResponse<byte[]> get(HttpClient client, HttpRequest request, Duration timeout, long maxBytes)
            throws GetException {
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request,
                info -> new CappedBody(info.statusCode() == 200 ? maxBytes : 0));
        String late = "no answer within " + timeout.toMillis() + " ms";
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new GetException(Failure.TIMEOUT, late, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new GetException(Failure.TIMEOUT, "interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new GetException(Failure.TIMEOUT, late, cause);
            }
            if (cause instanceof TooLarge) {
                throw new GetException(Failure.TOO_LARGE, cause.getMessage(), cause);
            }
            throw new GetException(Failure.UNREACHABLE, describe(cause), cause);
        }
    }

    /** The innermost cause's message after the outer one's: for TLS that is the one naming the real problem. */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? message(t) : message(t) + ": " + message(root);
    }

    private static String message(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private final long maxBytes;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    public CappedBody(long maxBytes) {
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
            result.completeExceptionally(new TooLarge(maxBytes));
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
