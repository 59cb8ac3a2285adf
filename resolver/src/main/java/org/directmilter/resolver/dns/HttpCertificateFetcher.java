package org.directmilter.resolver.dns;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Fetches IPKIX URLs over HTTP(S) with a timeout and a size cap. Network trouble, timeouts and 5xx
 * answers are temporary; 4xx, oversize and unreadable bodies are not.
 */
public final class HttpCertificateFetcher implements CertificateFetcher {

    private final HttpClient client;
    private final Duration timeout;
    private final long maxBytes;

    public HttpCertificateFetcher(Duration timeout, long maxBytes) {
        this.client = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.timeout = timeout;
        this.maxBytes = maxBytes;
    }

    @Override
    public List<X509Certificate> fetch(URI url) throws FetchException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FetchException("unsupported URL scheme: " + url, false);
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        byte[] body;
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                int status = response.statusCode();
                if (status >= 500 || status == 429) {
                    throw new FetchException("HTTP " + status + " from " + url, true);
                }
                if (status != 200) {
                    throw new FetchException("HTTP " + status + " from " + url, false);
                }
                body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            }
        } catch (HttpTimeoutException e) {
            throw new FetchException("timeout fetching " + url, true);
        } catch (IOException e) {
            throw new FetchException("cannot fetch " + url + ": " + e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted fetching " + url, true);
        }
        if (body.length > maxBytes) {
            throw new FetchException(url + " is larger than " + maxBytes + " bytes", false);
        }
        try {
            return Certificates.parseAll(body);
        } catch (CertificateException e) {
            throw new FetchException("no certificate at " + url + ": " + e.getMessage(), false);
        }
    }
}
