package org.directmilter.milter.server;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the milter listens, in the libmilter syntax that OpenDKIM and Sendmail administrators know
 * ({@code inet:8891@127.0.0.1}, {@code inet6:8891@[::1]}, {@code local:/run/x.sock}).
 * {@link #toString()} gives the canonical spec back, so log lines and error messages show what the
 * operator would write.
 */
public sealed interface SocketSpec permits SocketSpec.Inet, SocketSpec.Local {

    /**
     * A TCP socket. An empty {@code host} means all interfaces ({@code inet:PORT}); the server logs a
     * warning for that, since anyone who reaches the port can use the milter.
     */
    record Inet(String host, int port, boolean ipv6) implements SocketSpec {

        public Inet {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " is outside 0-65535");
            }
        }

        public boolean allInterfaces() {
            return host.isEmpty();
        }

        @Override
        public String toString() {
            String prefix = (ipv6 ? "inet6:" : "inet:") + port;
            if (allInterfaces()) {
                return prefix;
            }
            return prefix + "@" + (host.contains(":") ? "[" + host + "]" : host);
        }
    }

    /** A Unix-domain socket at an absolute path. */
    record Local(Path path) implements SocketSpec {

        /** sun_path holds 108 bytes on Linux including the terminating NUL. */
        static final int MAX_PATH_BYTES = 107;

        public Local {
            Objects.requireNonNull(path, "path");
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("Unix socket path " + path + " is not absolute");
            }
        }

        @Override
        public String toString() {
            return "local:" + path;
        }
    }

    /**
     * Parses a socket spec as written in the config file or on the command line.
     *
     * @throws IllegalArgumentException naming the value, what is wrong, and the accepted forms
     */
    static SocketSpec parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        return SpecParser.parse(spec.strip());
    }
}
