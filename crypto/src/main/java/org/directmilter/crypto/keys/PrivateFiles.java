package org.directmilter.crypto.keys;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.directmilter.crypto.text.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The permission rule for key, password and PIN files: nobody but the owner and the daemon's groups may
 * read them. A file that others may read is refused, naming the path: its secret must be treated as
 * disclosed, and silently using it would hide that.
 */
public final class PrivateFiles {

    private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);

    private final Set<Long> daemonGroups;
    /** Files refused for their modes, with the reason last logged. */
    private final Map<Path, String> refused = new ConcurrentHashMap<>();

    PrivateFiles(Set<Long> daemonGroups) {
        this.daemonGroups = Set.copyOf(daemonGroups);
    }

    /** A file's version as one stat saw it: what a cache of its parsed content is keyed on. */
    record Version(FileTime modified, long size) {
    }

    /**
     * Refuses files others may read, and group-readable files whose group is not one of ours. A refusal
     * is logged once per file, not for every message that asks for the key; once the file is private
     * again, a later refusal is logged anew.
     */
    void check(Path file) throws KeyStoreException {
        judge(file, refusal(file));
    }

    /**
     * {@link #check} and the file's version from one stat, where reading them apart took four; empty when
     * the file does not exist.
     */
    Optional<Version> examine(Path file) throws KeyStoreException {
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(file, "unix:lastModifiedTime,size,permissions,gid");
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return basicVersion(file); // not a POSIX file system: nothing to check against
        } catch (IOException e) {
            throw new KeyStoreException(file, "cannot be read: " + e.getMessage());
        }
        judge(file, refusal(attributes));
        return Optional.of(new Version((FileTime) attributes.get("lastModifiedTime"), (Long) attributes.get("size")));
    }

    private static Optional<Version> basicVersion(Path file) throws KeyStoreException {
        try {
            BasicFileAttributes basic = Files.readAttributes(file, BasicFileAttributes.class);
            return Optional.of(new Version(basic.lastModifiedTime(), basic.size()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new KeyStoreException(file, "cannot be read: " + e.getMessage());
        }
    }

    private void judge(Path file, String refusal) throws KeyStoreException {
        if (refusal == null) {
            refused.remove(file);
            return;
        }
        KeyStoreException e = new KeyStoreException(file, refusal);
        if (!refusal.equals(refused.put(file, refusal))) {
            log.warn("key store: {}", LogSafe.escape(e.getMessage()));
        }
        throw e;
    }

    /**
     * The first line of a secret file outside the key store (e.g. a database password), refused as a key
     * password file is when others may read it; the caller clears the array after use.
     */
    public static char[] readSecret(Path file) throws KeyStoreException {
        return new PrivateFiles(groupsFor(file.toAbsolutePath().getParent())).firstLine(file);
    }

    /** The first line of {@code file}, once its modes are checked; the caller clears the array after use. */
    char[] firstLine(Path file) throws KeyStoreException {
        check(file);
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            String line = end < 0 ? text : text.substring(0, end);
            return (line.endsWith("\r") ? line.substring(0, line.length() - 1) : line).toCharArray();
        } catch (IOException e) {
            throw new KeyStoreException(file, "cannot be read: " + e.getMessage());
        }
    }

    private String refusal(Path file) {
        try {
            return refusal(Files.readAttributes(file, "unix:permissions,gid"));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null; // not a POSIX file system: nothing to check against
        } catch (IOException e) {
            return "cannot be read: " + e.getMessage();
        }
    }

    /** @param unix the file's {@code unix:permissions} and {@code unix:gid}, read in one stat */
    private String refusal(Map<String, Object> unix) {
        @SuppressWarnings("unchecked")
        Set<PosixFilePermission> perms = (Set<PosixFilePermission>) unix.get("permissions");
        if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            return "is accessible to every user; refusing it (chmod o-rwx, and treat the key as disclosed)";
        }
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.GROUP_WRITE)) {
            long gid = ((Number) unix.get("gid")).longValue();
            if (!daemonGroups.contains(gid)) {
                return "is accessible to group " + gid + ", which is not the daemon's group; refusing it "
                        + "(chmod g-rwx or chgrp)";
            }
        }
        return null;
    }

    /**
     * The groups of the running process. Run as root (the administrator's {@code check}, {@code protect},
     * {@code unprotect}), files may also be readable by the group owning {@code directory}: in a packaged
     * install that is the daemon's group, the one the daemon reads them through.
     */
    static Set<Long> groupsFor(Path directory) {
        Set<Long> groups = new HashSet<>(processGroups());
        try {
            if (new UnixSystem().getUid() == 0) {
                groups.add(((Number) Files.getAttribute(directory, "unix:gid")).longValue());
            }
        } catch (IOException | UnsupportedOperationException | UnsatisfiedLinkError | SecurityException e) {
            // no directory (yet) or no unix attributes: the process's own groups only
        }
        return groups;
    }

    private static Set<Long> processGroups() {
        try {
            UnixSystem system = new UnixSystem();
            Set<Long> groups = new HashSet<>();
            groups.add(system.getGid());
            long[] more = system.getGroups();
            if (more != null) {
                Arrays.stream(more).forEach(groups::add);
            }
            return groups;
        } catch (UnsatisfiedLinkError | SecurityException e) {
            return Set.of();
        }
    }
}
