package org.directmilter.milter.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A server address as written in {@code Nameservers}: "192.0.2.1", "192.0.2.1:5353", "[2001:db8::1]:53"
 * or a bare IPv6 address. Only IP literals: a name server that must be found through DNS cannot
 * be the one that answers DNS.
 */
public record HostPort(InetAddress address, int port) {

    public static final int DNS_PORT = 53;

    public HostPort {
        Objects.requireNonNull(address);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
    }

    public static HostPort parse(String text) {
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("\"" + text + "\" has no closing ']'");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("\"" + text + "\": expected ':port' after ']'");
                }
                port = rest.substring(1);
            }
        } else if (text.indexOf(':') != text.lastIndexOf(':')) {
            host = text; // a bare IPv6 address: a port needs the [address]:port form
        } else {
            int colon = text.indexOf(':');
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        InetAddress address;
        try {
            address = IpLiterals.parse(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address with optional :port"
                    + " (host names are not allowed here)");
        }
        if (port == null) {
            return new HostPort(address, DNS_PORT);
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("\"" + text + "\" has a bad port (1-65535)");
        }
        return new HostPort(address, Integer.parseInt(port));
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    @Override
    public String toString() {
        String host = IpLiterals.format(address);
        return address instanceof Inet6Address ? "[" + host + "]:" + port : host + ":" + port;
    }
}
