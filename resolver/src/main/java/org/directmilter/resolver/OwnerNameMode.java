package org.directmilter.resolver;

import java.util.Locale;

/**
 * How an address becomes the owner name of its address-bound CERT records (RFC 4398 §3).
 *
 * <ul>
 *   <li>{@link #NAIVE}: {@code john.smith@example.org} → {@code john.smith.example.org.}, what deployed
 *       Direct software (the reference implementation, DCDT) publishes;</li>
 *   <li>{@link #ESCAPED}: the RFC 1034 §3.3 mailbox form, the local part as one label:
 *       {@code john\.smith.example.org.};</li>
 *   <li>{@link #BOTH}: naive first, then escaped when the naive name has no records (the default).</li>
 * </ul>
 */
public enum OwnerNameMode {
    NAIVE, ESCAPED, BOTH;

    /** Parses {@code naive}, {@code escaped} or {@code both}, case-insensitively. */
    public static OwnerNameMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected naive, escaped or both: " + text, e);
        }
    }
}
