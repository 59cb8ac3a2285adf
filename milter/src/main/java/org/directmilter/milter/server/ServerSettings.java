package org.directmilter.milter.server;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How the server bounds its connections and sets up a Unix socket.
 *
 * @param maxConnections connections served at once; further ones are accepted and closed at once so
 *                       the MTA applies its {@code milter_default_action} instead of hanging
 * @param idleTimeout    how long a connection may stay silent between messages
 * @param readTimeout    how long the MTA may stay silent in the middle of a message (while we are not
 *                       working on it ourselves)
 * @param socketMode     permissions of a Unix socket file, applied after bind so the umask never matters
 * @param socketGroup    group of a Unix socket file (typically {@code postfix}); empty keeps the default
 */
public record ServerSettings(int maxConnections, Duration idleTimeout, Duration readTimeout,
                             Set<PosixFilePermission> socketMode, Optional<String> socketGroup) {

    public ServerSettings {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, not " + maxConnections);
        }
        requirePositive(idleTimeout, "idleTimeout");
        requirePositive(readTimeout, "readTimeout");
        Objects.requireNonNull(socketMode, "socketMode");
        Objects.requireNonNull(socketGroup, "socketGroup");
        EnumSet<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        mode.addAll(socketMode);
        socketMode = Collections.unmodifiableSet(mode);
        if (socketGroup.isPresent() && socketGroup.get().isBlank()) {
            throw new IllegalArgumentException("socketGroup must not be blank");
        }
    }

    /** 256 connections, 10 minutes idle between messages, 5 minutes silence mid-message, mode 0660. */
    public static ServerSettings defaults() {
        return new ServerSettings(256, Duration.ofMinutes(10), Duration.ofMinutes(5),
                PosixFilePermissions.fromString("rw-rw----"), Optional.empty());
    }

    /** The mode as an operator writes it, e.g. {@code 0660}. */
    String socketModeOctal() {
        return octal(socketMode);
    }

    static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            // The enum runs OWNER_READ .. OTHERS_EXECUTE, i.e. from bit 8 down to bit 0.
            bits |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", bits);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + d);
        }
    }
}
