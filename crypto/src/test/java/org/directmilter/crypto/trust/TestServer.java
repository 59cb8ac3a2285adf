package org.directmilter.crypto.trust;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 serving CRLs and certificates by path, counting hits; paths under
 * /slow/ never answer until the server stops.
 */
final class TestServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> content = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final CountDownLatch stopping = new CountDownLatch(1);

    TestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            synchronized (hits) {
                hits.notifyAll();
            }
            if (path.startsWith("/slow/")) {
                try {
                    stopping.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            byte[] body = content.get(path);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Serves {@code body} at {@code path}; null stops serving it (404). */
    void put(String path, byte[] body) {
        if (body == null) {
            content.remove(path);
        } else {
            content.put(path, body);
        }
    }

    /** Waits until {@code path} was asked for at least once; false when {@code max} passed first. */
    boolean awaitHit(String path, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (hits(path) == 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            synchronized (hits) {
                hits.wait(10);
            }
        }
        return true;
    }

    int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    /** A URL on 127.0.0.1 where nothing listens: connections are refused. */
    static String deadUrl(String path) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return "http://127.0.0.1:" + port + path;
    }

    @Override
    public void close() {
        stopping.countDown();
        server.stop(0);
    }
}
