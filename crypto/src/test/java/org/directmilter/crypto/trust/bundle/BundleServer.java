package org.directmilter.crypto.trust.bundle;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.testpki.TestPki.Issued;

/**
 * A real HTTPS server on 127.0.0.1 with a certificate from a test CA, serving one bundle at /bundle.p7b
 * with an ETag (answering 304 to a matching If-None-Match), or misbehaving as told.
 */
public final class BundleServer implements AutoCloseable {

    /** What the next requests get. */
    public sealed interface Answer {
        record Bundle(byte[] body) implements Answer {
        }

        record Status(int code) implements Answer {
        }

        /** 200 with a chunked body of this many bytes. */
        record Huge(int bytes) implements Answer {
        }

        /** Headers never come: the request hangs until the server stops. */
        record Hang() implements Answer {
        }
    }

    /** The CA of the server's certificate: the trust store to give the fetcher. */
    public static final Issued TLS_CA = TestPki.root("Bundle Test TLS CA");

    private final HttpsServer server;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger notModified = new AtomicInteger();
    private volatile Answer answer = new Answer.Status(404);

    public BundleServer() throws Exception {
        Issued tls = TestPki.cert("127.0.0.1", TestPki.rsa("bundle-tls")).issuer(TLS_CA).ip("127.0.0.1")
                .endEntity().build();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("tls", tls.keys().getPrivate(), new char[0], new Certificate[] {tls.cert(), TLS_CA.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/bundle.p7b", exchange -> {
            requests.incrementAndGet();
            Answer now = answer;
            try (exchange) {
                if (now instanceof Answer.Hang) {
                    stopping.await(60, TimeUnit.SECONDS);
                } else if (now instanceof Answer.Status s) {
                    exchange.sendResponseHeaders(s.code(), -1);
                } else if (now instanceof Answer.Huge h) {
                    exchange.sendResponseHeaders(200, 0);
                    try (OutputStream out = exchange.getResponseBody()) {
                        byte[] chunk = new byte[64 * 1024];
                        for (int sent = 0; sent < h.bytes(); sent += chunk.length) {
                            out.write(chunk);
                        }
                    }
                } else if (now instanceof Answer.Bundle b) {
                    String etag = "\"" + TrustBundles.sha256(b.body()) + "\"";
                    if (etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                        notModified.incrementAndGet();
                        exchange.sendResponseHeaders(304, -1);
                        return;
                    }
                    exchange.getResponseHeaders().add("ETag", etag);
                    exchange.sendResponseHeaders(200, b.body().length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(b.body());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // The client gave up (size cap, timeout): nothing to answer.
            }
        });
        server.start();
    }

    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/bundle.p7b";
    }

    public void answer(Answer next) {
        answer = next;
    }

    public int requests() {
        return requests.get();
    }

    public int notModified() {
        return notModified.get();
    }

    @Override
    public void close() {
        stopping.countDown();
        server.stop(0);
    }
}
