package org.directmilter.crypto.trust;

import java.util.Locale;

/** Which way mail flows for a local domain; each direction has its own anchors. */
public enum Direction {
    /** Mail to a local recipient: anchors that decide whose signatures the domain accepts. */
    INCOMING,
    /** Mail from a local sender: anchors that decide to whom the domain may encrypt. */
    OUTGOING;

    /** The name of this direction's directory under a domain's anchor directory. */
    public String directoryName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
