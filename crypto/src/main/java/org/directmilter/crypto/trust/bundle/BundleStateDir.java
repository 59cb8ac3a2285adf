package org.directmilter.crypto.trust.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;

/**
 * The last good copy of each bundle, on disk: {@code <dir>/<name>.bundle}, one Java properties file
 * holding the URL, when it was fetched, its SHA-256, the HTTP validators and the bytes as fetched
 * (base64). One file per bundle, written to a temporary name and renamed, so a crash never leaves a
 * bundle half written. The bytes are kept in their signed form and verified again when read back.
 */
public final class BundleStateDir {

    /** A copy as persisted. */
    record Saved(String url, byte[] bytes, Instant fetched, String sha256, Optional<String> etag,
                 Optional<String> lastModified) {
    }

    private final Path dir;

    public BundleStateDir(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    Path file(String name) {
        return dir.resolve(name + ".bundle");
    }

    void save(String name, Saved copy) throws IOException {
        Properties p = new Properties();
        p.setProperty("url", copy.url());
        p.setProperty("fetched", copy.fetched().toString());
        p.setProperty("sha256", copy.sha256());
        copy.etag().ifPresent(v -> p.setProperty("etag", v));
        copy.lastModified().ifPresent(v -> p.setProperty("last-modified", v));
        p.setProperty("bytes", Base64.getEncoder().encodeToString(copy.bytes()));
        Files.createDirectories(dir);
        Path target = file(name);
        Path temporary = Files.createTempFile(dir, "." + name, ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                p.store(out, "direct-milter trust bundle " + name + ": last good copy, do not edit");
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The saved copy of {@code name}; empty when there is none. */
    Optional<Saved> load(String name) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file(name))) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Saved(required(p, "url"), Base64.getDecoder().decode(required(p, "bytes")),
                    Instant.parse(required(p, "fetched")), required(p, "sha256"),
                    Optional.ofNullable(p.getProperty("etag")), Optional.ofNullable(p.getProperty("last-modified"))));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IOException("damaged: " + e.getMessage());
        }
    }

    private static String required(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return value;
    }
}
