package org.directmilter.crypto.trust.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.directmilter.crypto.trust.CappedBody;
import org.directmilter.crypto.trust.Certificates;
import org.directmilter.crypto.trust.bundle.BundleException.Reason;

/**
 * Gets a bundle's bytes from an {@code https:} or {@code file:} URL: one deadline for connect, answer and
 * body, a size cap enforced while reading, and a conditional GET (ETag, Last-Modified) so an unchanged
 * bundle costs one short answer. HTTPS servers are checked against the JDK's trust store, or against the
 * CA certificates of a PEM file when one is given.
 */
public final class BundleFetcher {

    /** What a fetch brought: the bundle, or word that the copy in hand is still current. */
    public sealed interface Fetched {
        /** 304 Not Modified: the validators sent still match. */
        record NotModified() implements Fetched {
        }

        /** The bundle's bytes, with the validators to send next time. */
        record Body(byte[] bytes, Optional<String> etag, Optional<String> lastModified) implements Fetched {
        }
    }

    private final HttpClient client;
    private final Duration timeout;
    private final long maxBytes;

    private BundleFetcher(HttpClient client, Duration timeout, long maxBytes) {
        this.client = client;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
    }

    /**
     * @param trustStore PEM file of the CA certificates HTTPS servers must chain to; empty: the JDK's
     * @param timeout    longest one fetch may take, all of it
     * @param maxBytes   largest bundle accepted
     */
    public static BundleFetcher create(Optional<Path> trustStore, Duration timeout, long maxBytes)
            throws IOException, GeneralSecurityException {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(timeout)
                // NORMAL never follows https: to http:; publishers do move files behind redirects.
                .followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_1_1);
        if (trustStore.isPresent()) {
            builder.sslContext(sslContext(Certificates.parse(Files.readAllBytes(trustStore.get()))));
        }
        return new BundleFetcher(builder.build(), timeout, maxBytes);
    }

    /** A TLS context trusting exactly {@code cas}. */
    static SSLContext sslContext(List<X509Certificate> cas) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
            store.setCertificateEntry("ca" + i, cas.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** Fetches {@code url}, sending the validators of the copy in hand when there is one. */
    public Fetched fetch(URI url, Optional<String> etag, Optional<String> lastModified) throws BundleException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "file" -> readFile(Path.of(url));
            case "https" -> get(url, etag, lastModified);
            default -> throw new BundleException(Reason.UNREACHABLE, "only https: and file: URLs are fetched");
        };
    }

    private Fetched readFile(Path file) throws BundleException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new BundleException(Reason.TOO_LARGE, "file larger than " + maxBytes + " bytes");
            }
            return new Fetched.Body(bytes, Optional.empty(), Optional.empty());
        } catch (NoSuchFileException e) {
            throw new BundleException(Reason.NOT_FOUND, "no such file");
        } catch (IOException e) {
            throw new BundleException(Reason.UNREACHABLE, "cannot read: " + e.getMessage());
        }
    }

    private Fetched get(URI url, Optional<String> etag, Optional<String> lastModified) throws BundleException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).GET();
        etag.ifPresent(v -> request.header("If-None-Match", v));
        lastModified.ifPresent(v -> request.header("If-Modified-Since", v));
        HttpResponse<byte[]> response;
        try {
            response = CappedBody.get(client, request.build(), timeout, maxBytes);
        } catch (CappedBody.GetException e) {
            throw new BundleException(switch (e.failure()) {
                case TIMEOUT -> Reason.DOWNLOAD_TIMEOUT;
                case TOO_LARGE -> Reason.TOO_LARGE;
                case UNREACHABLE -> Reason.UNREACHABLE;
            }, e.getMessage());
        }
        int status = response.statusCode();
        if (status == 304 && (etag.isPresent() || lastModified.isPresent())) {
            return new Fetched.NotModified();
        }
        if (status != 200) {
            throw new BundleException(Reason.NOT_FOUND, "HTTP status " + status);
        }
        return new Fetched.Body(response.body(), response.headers().firstValue("ETag"),
                response.headers().firstValue("Last-Modified"));
    }

}
