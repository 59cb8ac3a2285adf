package org.directmilter.resolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.directmilter.resolver.dns.Certificates;

/**
 * Partners' certificates placed by the operator (exchanged out of band): {@code <address>.pem} for one
 * address, {@code <domain>.pem} for a whole domain, each holding one or more certificates in PEM or DER.
 *
 * <p>A file is one discovery step, reported like an owner name whose "owner" is {@code file:PATH}:
 * {@link OwnerLookup.Published} when the file exists (with a problem line when it holds no certificate),
 * {@link OwnerLookup.NonePublished} when it does not, {@link OwnerLookup.Unavailable} when it cannot be
 * read now — a permission mistake must delay mail, not send it elsewhere or bounce it.
 *
 * <p>Every lookup costs one stat per file; a file is parsed again only when its modification time,
 * size or inode changed, so the per-message path never re-reads PEM.
 */
final class CertificateDir {

    private final Path directory;
    private final Map<Path, Loaded> cache = new ConcurrentHashMap<>();

    CertificateDir(Path directory) {
        this.directory = Objects.requireNonNull(directory);
    }

    /** A directory that does not exist means "no static certificates", not an error. */
    boolean exists() {
        return Files.isDirectory(directory);
    }

    OwnerLookup addressBound(DirectAddress address) {
        return lookup(address.toString());
    }

    OwnerLookup domainBound(DirectAddress address) {
        return lookup(address.domain());
    }

    private OwnerLookup lookup(String name) {
        // A quoted local part may hold '/' or NUL: such an address can have no file here, and must
        // not name one elsewhere.
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            return new OwnerLookup.NonePublished("file:" + directory, "no file can be named after this address",
                    -1, List.of());
        }
        Path file = directory.resolve(name + ".pem");
        String owner = "file:" + file;
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            cache.remove(file);
            return new OwnerLookup.NonePublished(owner, "no such file", -1, List.of());
        } catch (IOException e) {
            return new OwnerLookup.Unavailable(owner, "cannot be read: " + e, List.of());
        }
        Stamp stamp = new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        Loaded cached = cache.get(file);
        if (cached != null && cached.stamp().equals(stamp)) {
            return cached.lookup();
        }
        OwnerLookup read = read(owner, file);
        if (!(read instanceof OwnerLookup.Unavailable)) {
            cache.put(file, new Loaded(stamp, read));
        }
        return read;
    }

    private static OwnerLookup read(String owner, Path file) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            return new OwnerLookup.Unavailable(owner, "cannot be read: " + e, List.of());
        }
        List<FoundCertificate> found = new ArrayList<>();
        try {
            for (X509Certificate cert : Certificates.parseAll(data)) {
                found.add(new FoundCertificate(cert, FoundCertificate.FILE, Optional.empty()));
            }
        } catch (CertificateException | RuntimeException e) {
            // Like a CERT record that holds no certificate: the operator placed something for this
            // name, so discovery stops here (no fallback to DNS) and says why.
            return new OwnerLookup.Published(owner, List.of(),
                    List.of("not a certificate file (PEM or DER): " + e.getMessage()), 0, List.of());
        }
        return new OwnerLookup.Published(owner, found, List.of(), 0, List.of());
    }

    /** What identifies one version of a file; an atomic replacement (mv) changes the inode. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
    }

    private record Loaded(Stamp stamp, OwnerLookup lookup) {
    }
}
