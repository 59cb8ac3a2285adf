package org.directmilter.milter.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Parses IP address literals without ever asking DNS: a config value that looks like an address
 * but is not one must be an error, not a host name lookup at startup.
 */
final class IpLiterals {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private IpLiterals() {
    }

    /** @throws IllegalArgumentException when text is not an IPv4 dotted quad or an IPv6 literal */
    static InetAddress parse(String text) {
        var v4 = IPV4.matcher(text);
        if (v4.matches()) {
            byte[] octets = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) {
                    throw notAnAddress(text);
                }
                octets[i] = (byte) octet;
            }
            return byOctets(text, octets);
        }
        // The JDK parses a string that starts with a hex digit or ':' and contains ':' as an IPv6
        // literal and never resolves it; the character check keeps us inside that rule.
        if (text.indexOf(':') >= 0 && IPV6_CHARS.matcher(text).matches()
                && (Character.digit(text.charAt(0), 16) >= 0 || text.charAt(0) == ':')) {
            try {
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                throw notAnAddress(text);
            }
        }
        throw notAnAddress(text);
    }

    /** The address as RFC 5952 writes it ("::1", "2001:db8::1"), not the JDK's uncompressed form. */
    static String format(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            return address.getHostAddress();
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        // The longest run of two or more zero groups, the first one on a tie, becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    private static InetAddress byOctets(String text, byte[] octets) {
        try {
            return InetAddress.getByAddress(octets);
        } catch (UnknownHostException e) {
            throw notAnAddress(text);
        }
    }

    private static IllegalArgumentException notAnAddress(String text) {
        return new IllegalArgumentException("\"" + text + "\" is not an IPv4 or IPv6 address");
    }
}
