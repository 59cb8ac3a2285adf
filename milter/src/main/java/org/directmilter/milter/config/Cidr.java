package org.directmilter.milter.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A network written as address/prefix ("10.0.0.0/8", "2001:db8::/32") or a single address.
 * Host bits are cleared ("127.0.0.1/8" is 127.0.0.0/8), as OpenDKIM's InternalHosts treats them.
 */
public record Cidr(InetAddress network, int prefixLength) {

    public Cidr {
        Objects.requireNonNull(network);
        int max = maxPrefix(network);
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0-" + max);
        }
        network = masked(network, prefixLength);
    }

    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        InetAddress parsed;
        try {
            parsed = IpLiterals.parse(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an address or address/prefix network");
        }
        int max = maxPrefix(parsed);
        if (slash < 0) {
            return new Cidr(parsed, max);
        }
        String prefix = text.substring(slash + 1);
        if (!prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) > max) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" has a bad prefix length (0-" + max + " for this address)");
        }
        return new Cidr(parsed, Integer.parseInt(prefix));
    }

    public boolean contains(InetAddress address) {
        if (address.getClass() != network.getClass()) {
            return false;
        }
        return masked(address, prefixLength).equals(network);
    }

    /**
     * Whether an address as an MTA reports it ("192.0.2.1", "2001:db8::1", "IPv6:2001:db8::1") lies in
     * this network; text that is not an IP literal lies in none.
     */
    public boolean contains(String addressLiteral) {
        String text = addressLiteral.regionMatches(true, 0, "IPv6:", 0, 5) ? addressLiteral.substring(5) : addressLiteral;
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        try {
            return contains(IpLiterals.parse(text));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return IpLiterals.format(network) + "/" + prefixLength;
    }

    private static int maxPrefix(InetAddress address) {
        return address instanceof Inet4Address ? 32 : 128;
    }

    private static InetAddress masked(InetAddress address, int prefixLength) {
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - 8 * i));
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of valid length was refused", e);
        }
    }
}
