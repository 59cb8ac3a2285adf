package org.directmilter.milter.server;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the listening channel for a {@link SocketSpec}, turning every way that can fail into a message
 * that names the spec and says what to do about it.
 */
final class ServerSockets {

    // One logger name for every server line, so one entry in logback.xml tunes them all.
    private static final Logger log = LoggerFactory.getLogger(MilterServer.class);

    /** Postfix opens one milter connection per SMTP session, so bursts are bounded by its process limit. */
    static final int BACKLOG = 128;

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private ServerSockets() {
    }

    /** A bound listener; {@code socketFile} is present for Unix sockets, which the server must delete. */
    record Bound(ServerSocketChannel channel, SocketAddress address, Optional<SocketFile> socketFile) {
    }

    /**
     * A socket file we created. The file key (device and inode) lets us delete only our own socket,
     * not one that a newer instance bound at the same path after we stopped listening.
     */
    record SocketFile(Path path, Object fileKey) {

        void delete() {
            try {
                Object current = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey();
                if (fileKey != null && !fileKey.equals(current)) {
                    log.info("not deleting {}: another process has replaced the socket", path);
                    return;
                }
                Files.delete(path);
            } catch (NoSuchFileException e) {
                // Someone removed it already; nothing left to clean up.
            } catch (IOException e) {
                log.warn("could not delete socket file {}: {}", path, e.toString());
            }
        }
    }

    static Bound open(SocketSpec spec, ServerSettings settings) throws IOException {
        Objects.requireNonNull(spec, "spec");
        if (spec instanceof SocketSpec.Inet inet) {
            return openInet(inet);
        }
        return openLocal((SocketSpec.Local) spec, settings);
    }

    private static Bound openInet(SocketSpec.Inet spec) throws IOException {
        InetAddress address = resolve(spec);
        ServerSocketChannel channel;
        try {
            channel = ServerSocketChannel.open(spec.ipv6() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        } catch (UnsupportedOperationException e) {
            throw new IOException(spec + ": IPv6 is not available on this host; use inet:PORT@HOST", e);
        }
        try {
            channel.bind(new InetSocketAddress(address, spec.port()), BACKLOG);
            return new Bound(channel, channel.getLocalAddress(), Optional.empty());
        } catch (IOException e) {
            closeQuietly(channel);
            throw inetBindFailure(spec, e);
        }
    }

    private static InetAddress resolve(SocketSpec.Inet spec) throws IOException {
        if (spec.allInterfaces()) {
            return InetAddress.getByName(spec.ipv6() ? "::" : "0.0.0.0");
        }
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(spec.host());
        } catch (UnknownHostException e) {
            throw new IOException(spec + ": cannot resolve host '" + spec.host() + "'", e);
        }
        for (InetAddress a : all) {
            if (spec.ipv6() ? a instanceof Inet6Address : a instanceof Inet4Address) {
                return a;
            }
        }
        throw new IOException(spec + ": '" + spec.host() + "' has no " + (spec.ipv6() ? "IPv6" : "IPv4")
                + " address; use " + (spec.ipv6() ? "inet:" : "inet6:") + " or another host");
    }

    // The JDK reports EADDRINUSE, EADDRNOTAVAIL and EACCES all as BindException; only the text tells them apart.
    private static IOException inetBindFailure(SocketSpec.Inet spec, IOException e) {
        String text = String.valueOf(e.getMessage());
        IOException failure;
        if (text.contains("already in use")) {
            failure = new BindException(spec + ": address already in use — is another direct-milter or milter running?");
        } else if (text.contains("assign requested address")) {
            failure = new BindException(spec + ": '" + spec.host() + "' is not an address of this host");
        } else if (text.contains("Permission denied")) {
            failure = new BindException(spec + ": permission denied — ports below 1024 need privileges;"
                    + " use a port such as 8891");
        } else {
            failure = new IOException(spec + ": cannot listen: " + text);
        }
        failure.initCause(e);
        return failure;
    }

    private static Bound openLocal(SocketSpec.Local spec, ServerSettings settings) throws IOException {
        Path path = spec.path();
        Path dir = path.getParent();
        if (!Files.isDirectory(dir)) {
            throw new IOException(spec + ": directory " + dir + " does not exist; create it (writable by user "
                    + System.getProperty("user.name") + ") or choose another path");
        }
        if (!Files.isWritable(dir)) {
            throw new IOException(spec + ": directory " + dir + " is not writable by user "
                    + System.getProperty("user.name") + "; fix its owner or mode, or choose another path");
        }
        clearStaleSocket(spec);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(path), BACKLOG);
        } catch (IOException e) {
            closeQuietly(channel);
            String text = String.valueOf(e.getMessage());
            IOException failure = text.contains("already in use")
                    ? new BindException(spec + ": " + path + " appeared while starting — is another direct-milter"
                            + " or milter running?")
                    : new IOException(spec + ": cannot listen: " + text);
            failure.initCause(e);
            throw failure;
        }
        try {
            applyOwnership(spec, settings);
            Object fileKey = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return new Bound(channel, channel.getLocalAddress(), Optional.of(new SocketFile(path, fileKey)));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /**
     * A socket file survives a crash (the kernel never removes it). Replace it when nobody answers on it;
     * refuse when something does, or when the path is not a socket at all: that file is not ours to delete.
     */
    private static void clearStaleSocket(SocketSpec.Local spec) throws IOException {
        Path path = spec.path();
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(path)) {
            throw new IOException(spec + ": " + path + " exists and is not a socket; refusing to delete it —"
                    + " remove it yourself or choose another path");
        }
        if (answers(spec)) {
            throw new IOException(spec + ": a process is still listening on " + path
                    + " — is another direct-milter or milter running?");
        }
        log.info("{}: removing stale socket {} (nothing listens on it any more)", spec, path);
        Files.deleteIfExists(path);
    }

    static boolean isSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // No "unix" view on this platform: "other" (not file, directory or link) is the best we can tell.
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        }
    }

    // Non-blocking, so a live but wedged listener with a full backlog cannot hang our startup.
    private static boolean answers(SocketSpec.Local spec) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(spec.path()));
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            throw new IOException(spec + ": cannot tell whether " + spec.path() + " is in use (" + e.getMessage()
                    + "); refusing to replace it", e);
        }
    }

    private static void applyOwnership(SocketSpec.Local spec, ServerSettings settings) throws IOException {
        Path path = spec.path();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (view == null) {
            throw new IOException(spec + ": the file system has no POSIX permissions; cannot set mode "
                    + settings.socketModeOctal());
        }
        if (settings.socketGroup().isPresent()) {
            String name = settings.socketGroup().get();
            GroupPrincipal group;
            try {
                group = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(name);
            } catch (UserPrincipalNotFoundException e) {
                throw new IOException(spec + ": group '" + name + "' does not exist", e);
            }
            try {
                view.setGroup(group);
            } catch (IOException e) {
                throw new IOException(spec + ": cannot give " + path + " to group '" + name + "' (user "
                        + System.getProperty("user.name") + " must be a member of it): " + e.getMessage(), e);
            }
        }
        try {
            view.setPermissions(settings.socketMode());
        } catch (IOException e) {
            throw new IOException(spec + ": cannot set mode " + settings.socketModeOctal() + " on " + path + ": "
                    + e.getMessage(), e);
        }
    }

    static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            log.debug("close failed: {}", e.toString());
        }
    }
}
