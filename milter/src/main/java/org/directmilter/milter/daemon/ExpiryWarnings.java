package org.directmilter.milter.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.Pkcs12DirectoryKeyStore;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.trust.Anchor;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.MilterConfig;

/**
 * Certificates that have expired or will within {@code ExpiryWarningDays}: our own (each key of the
 * KeyStore) and the trust anchors. The daemon logs them at start, at reload and daily; {@code check}
 * prints them. An expired key of ours answers every message of its domain with a refusal from the
 * partner, an expired anchor refuses every partner under it: both are better known a month early.
 */
public final class ExpiryWarnings {

    private ExpiryWarnings() {
    }

    /** The configured window. */
    public static Duration window(MilterConfig config) {
        return Duration.ofDays(config.get(ConfigKeys.EXPIRY_WARNING_DAYS));
    }

    /** Every warning: the KeyStore's certificates, then the anchors' (AnchorDir's and the bundles'). */
    public static List<String> all(MilterConfig config, List<Anchor> anchors, Instant now) {
        List<String> out = new ArrayList<>(keys(config, now));
        Duration window = window(config);
        for (Anchor a : anchors) {
            expiry(a.certificate(), now, window).ifPresent(e -> out.add("anchor " + a.subject() + " from "
                    + a.origin().describe() + " " + e));
        }
        return out;
    }

    /**
     * The certificates of every key file of the KeyStore (the whole chain each file holds). Files that
     * cannot be read are left to the key-file checks, which name the reason.
     */
    public static List<String> keys(MilterConfig config, Instant now) {
        Duration window = window(config);
        Set<String> out = new LinkedHashSet<>();
        for (KeyCertificate k : keyCertificates(config)) {
            expiry(k.certificate(), now, window).ifPresent(e -> out.add("key " + k.file() + ": certificate "
                    + k.certificate().getSubjectX500Principal().getName() + " " + e));
        }
        return List.copyOf(out);
    }

    /** When the first certificate of the KeyStore's key files expires (the metrics' gauge); empty when none. */
    public static Optional<Instant> earliestKeyExpiry(MilterConfig config) {
        return keyCertificates(config).stream().map(k -> k.certificate().getNotAfter().toInstant())
                .min(Instant::compareTo);
    }

    /** One certificate of a key file's chain. */
    private record KeyCertificate(Path file, X509Certificate certificate) {
    }

    private static List<KeyCertificate> keyCertificates(MilterConfig config) {
        Path dir = config.get(ConfigKeys.KEY_STORE);
        List<KeyCertificate> out = new ArrayList<>();
        if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
            return out;
        }
        Pkcs12DirectoryKeyStore store = new Pkcs12DirectoryKeyStore(dir);
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".p12")).sorted().toList();
        } catch (IOException e) {
            return out;
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            List<PrivateKeyEntry> entries;
            String address = name.substring(0, name.length() - ".p12".length());
            try {
                // keysFor of an address adds its domain's file: only this file's entries here
                entries = new ArrayList<>(store.keysFor(address));
                int at = address.indexOf('@');
                if (at >= 0) {
                    entries.removeAll(store.keysFor(address.substring(at + 1)));
                }
            } catch (KeyStoreException | IllegalArgumentException e) {
                continue;
            }
            for (PrivateKeyEntry entry : entries) {
                for (X509Certificate c : entry.chain()) {
                    out.add(new KeyCertificate(file, c));
                }
            }
        }
        return out;
    }

    /** "expired DATE", "expires in N days (DATE)", or nothing when it is valid beyond the window. */
    public static Optional<String> expiry(X509Certificate certificate, Instant now, Duration window) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        String date = notAfter.atOffset(ZoneOffset.UTC).toLocalDate().toString();
        if (notAfter.isBefore(now)) {
            return Optional.of("expired " + date);
        }
        if (notAfter.isBefore(now.plus(window))) {
            long days = Duration.between(now, notAfter).toDays();
            return Optional.of("expires in " + days + (days == 1 ? " day" : " days") + " (" + date + ")");
        }
        return Optional.empty();
    }
}
