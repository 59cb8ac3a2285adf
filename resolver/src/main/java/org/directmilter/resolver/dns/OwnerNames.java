package org.directmilter.resolver.dns;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.directmilter.resolver.DirectAddress;
import org.directmilter.resolver.OwnerNameMode;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Owner names of CERT records for an address (RFC 4398 §3, RFC 1034 §3.3). A form the local part cannot
 * take (a label over 63 octets, an empty label, a name over 255 octets) is left out, so the address step
 * is skipped cleanly when no form fits.
 */
public final class OwnerNames {

    private OwnerNames() {
    }

    /** The address-bound owner names to query, in order, without duplicates; possibly none. */
    public static List<String> addressBound(DirectAddress address, OwnerNameMode mode) {
        List<String> names = new ArrayList<>(2);
        if (mode != OwnerNameMode.ESCAPED) {
            naive(address).ifPresent(names::add);
        }
        if (mode != OwnerNameMode.NAIVE) {
            escaped(address).filter(n -> !names.contains(n)).ifPresent(names::add);
        }
        return List.copyOf(names);
    }

    /** The domain-bound owner name, e.g. {@code example.org.}. */
    public static String domainBound(DirectAddress address) {
        return parse(address.domain() + ".").orElseThrow(
                () -> new IllegalArgumentException("not a DNS name: " + address.domain()));
    }

    /** {@code john.smith@example.org} → {@code john.smith.example.org.}: each dot of the local part splits a label. */
    static Optional<String> naive(DirectAddress address) {
        StringBuilder text = new StringBuilder();
        for (String label : address.localPart().split("\\.", -1)) {
            if (label.isEmpty()) {
                return Optional.empty();
            }
            text.append(escapeLabel(label)).append('.');
        }
        return parse(text + address.domain() + ".");
    }

    /** {@code john.smith@example.org} → {@code john\.smith.example.org.}: the local part is one label. */
    static Optional<String> escaped(DirectAddress address) {
        return parse(escapeLabel(address.localPart()) + "." + address.domain() + ".");
    }

    /** Presentation form of one label: letters, digits, '-' and '_' as they are, every other octet as \DDD. */
    static String escapeLabel(String label) {
        StringBuilder out = new StringBuilder();
        for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
                out.append((char) c);
            } else {
                out.append('\\').append(String.format("%03d", c));
            }
        }
        return out.toString();
    }

    private static Optional<String> parse(String text) {
        try {
            return Optional.of(Name.fromString(text).toString());
        } catch (TextParseException e) {
            return Optional.empty();
        }
    }
}
