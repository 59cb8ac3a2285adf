package org.directmilter.milter.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kept apart from the interface so the value types stay short; every message names the value. */
final class SpecParser {

    /** The forms every error lists, so the operator can fix the value without the manual. */
    static final String ACCEPTED_FORMS = "inet:PORT@HOST, inet:PORT (all interfaces), inet6:PORT@[ADDRESS], "
            + "local:/absolute/path, unix:/absolute/path or /absolute/path";

    private static final Pattern PORT = Pattern.compile("\\d{1,5}");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[A-Za-z0-9_.-]+)?");
    /** Postfix writes inet:HOST:PORT (and inet:[ADDR]:PORT for IPv6). */
    private static final Pattern POSTFIX_STYLE = Pattern.compile("(\\[[^\\]]*\\]|[^@\\[\\]]+):(\\d+)");

    private SpecParser() {
    }

    static SocketSpec parse(String spec) {
        if (spec.isEmpty()) {
            throw error(spec, "the socket spec is empty");
        }
        if (spec.startsWith("/")) {
            return local(spec, spec);
        }
        int colon = spec.indexOf(':');
        if (colon < 0) {
            if (PORT.matcher(spec).matches()) {
                throw error(spec, "a bare port is ambiguous; write inet:" + spec + "@127.0.0.1"
                        + " (or inet:" + spec + " for all interfaces)");
            }
            throw error(spec, "missing the socket type (inet:, inet6:, local: or unix:)");
        }
        String type = spec.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = spec.substring(colon + 1);
        return switch (type) {
            case "inet" -> inet(spec, rest, false);
            case "inet6" -> inet(spec, rest, true);
            case "local", "unix" -> local(spec, rest);
            case "tcp", "tcp4", "tcp6", "ip" -> throw error(spec,
                    "'" + type + ":' is not a milter socket type; write " + suggestInet(rest, type.equals("tcp6")));
            default -> throw error(spec, "unknown socket type '" + type + ":'");
        };
    }

    private static SocketSpec inet(String spec, String rest, boolean ipv6) {
        int at = rest.indexOf('@');
        String port = at < 0 ? rest : rest.substring(0, at);
        if (at < 0 && !PORT.matcher(rest).matches()) {
            Matcher postfix = POSTFIX_STYLE.matcher(rest);
            if (postfix.matches()) {
                throw error(spec, "this is Postfix syntax (inet:HOST:PORT); direct-milter uses the libmilter "
                        + "form PORT@HOST, so write " + suggestInet(rest, ipv6));
            }
        }
        if (port.isEmpty()) {
            throw error(spec, "the port is missing");
        }
        if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65_535) {
            throw error(spec, "'" + port + "' is not a port number (0-65535)");
        }
        if (at < 0) {
            return new SocketSpec.Inet("", Integer.parseInt(port), ipv6);
        }
        String host = rest.substring(at + 1);
        if (host.isEmpty()) {
            throw error(spec, "the host after '@' is empty; write " + (ipv6 ? "inet6:" : "inet:") + port
                    + " for all interfaces or name an address");
        }
        return new SocketSpec.Inet(ipv6 ? ipv6Host(spec, host) : ipv4Host(spec, host, port),
                Integer.parseInt(port), ipv6);
    }

    private static String ipv4Host(String spec, String host, String port) {
        if (host.startsWith("[") || host.contains(":")) {
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            throw error(spec, "'" + host + "' is an IPv6 address; write inet6:" + port + "@[" + bare + "]");
        }
        Matcher v4 = IPV4.matcher(host);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255) {
                    throw error(spec, "'" + host + "' is not a valid IPv4 address");
                }
            }
            return host;
        }
        if (!HOST_NAME.matcher(host).matches()) {
            throw error(spec, "'" + host + "' is neither a host name nor an IPv4 address");
        }
        return host;
    }

    private static String ipv6Host(String spec, String host) {
        boolean bracketed = host.startsWith("[");
        if (bracketed != host.endsWith("]")) {
            throw error(spec, "unbalanced brackets in '" + host + "'; write [ADDRESS]");
        }
        String bare = bracketed ? host.substring(1, host.length() - 1) : host;
        if (IPV6.matcher(bare).matches()) {
            return bare;
        }
        if (!bracketed && HOST_NAME.matcher(bare).matches()) {
            return bare;
        }
        throw error(spec, "'" + host + "' is neither a host name nor an IPv6 address");
    }

    private static SocketSpec local(String spec, String path) {
        if (path.isEmpty()) {
            throw error(spec, "the socket path is missing");
        }
        if (!path.startsWith("/")) {
            throw error(spec, "the socket path '" + path + "' is not absolute; write local:/absolute/path");
        }
        if (path.endsWith("/")) {
            throw error(spec, "the socket path '" + path + "' names a directory; add a file name");
        }
        if (path.indexOf('\0') >= 0) {
            throw error(spec, "the socket path contains a NUL character");
        }
        int bytes = path.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > SocketSpec.Local.MAX_PATH_BYTES) {
            throw error(spec, "the socket path is " + bytes + " bytes long; Unix sockets allow at most "
                    + SocketSpec.Local.MAX_PATH_BYTES);
        }
        return new SocketSpec.Local(Path.of(path));
    }

    /** Best-effort rewrite of HOST:PORT or PORT@HOST into the libmilter form, for error messages. */
    private static String suggestInet(String rest, boolean ipv6Hint) {
        String host;
        String port;
        Matcher postfix = POSTFIX_STYLE.matcher(rest);
        int at = rest.indexOf('@');
        if (at >= 0) {
            port = rest.substring(0, at);
            host = rest.substring(at + 1);
        } else if (postfix.matches()) {
            host = postfix.group(1);
            port = postfix.group(2);
        } else if (PORT.matcher(rest).matches()) {
            host = "127.0.0.1";
            port = rest;
        } else {
            return ipv6Hint ? "inet6:PORT@[ADDRESS]" : "inet:PORT@HOST";
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (ipv6Hint || bare.contains(":")) {
            return "inet6:" + port + "@[" + bare + "]";
        }
        return "inet:" + port + "@" + bare;
    }

    private static IllegalArgumentException error(String spec, String problem) {
        return new IllegalArgumentException(
                "invalid socket spec '" + spec + "': " + problem + ". Accepted forms: " + ACCEPTED_FORMS);
    }
}
