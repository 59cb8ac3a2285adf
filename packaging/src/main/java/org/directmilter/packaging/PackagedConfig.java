package org.directmilter.packaging;

/**
 * The configuration file the packages install: the repository's sample (etc/direct-milter.conf, every
 * key documented), with the socket moved into Postfix's chroot and given to group postfix, which is
 * what a packaged install next to Debian's chrooted Postfix needs. The checkout keeps TCP on loopback,
 * so {@code bin/direct-milter run -c etc/direct-milter.conf} needs no root.
 */
final class PackagedConfig {

    static final String SOCKET = "local:/var/spool/postfix/direct-milter/direct-milter.sock";

    private static final String SAMPLE_SOCKET = "Socket                  inet:8891@127.0.0.1\n";
    private static final String SAMPLE_GROUP = "#SocketGroup            postfix\n";

    private PackagedConfig() {
    }

    /** Fails when the sample no longer has the lines it replaces, so a changed sample is noticed. */
    static String adapt(String sample) {
        return replaceOnce(replaceOnce(sample, SAMPLE_SOCKET, "Socket                  " + SOCKET + "\n"),
                SAMPLE_GROUP, "SocketGroup             postfix\n");
    }

    private static String replaceOnce(String text, String line, String replacement) {
        int at = text.indexOf("\n" + line);
        if (at < 0 || text.indexOf("\n" + line, at + 1) >= 0) {
            throw new IllegalArgumentException("etc/direct-milter.conf: expected exactly one line \""
                    + line.strip() + "\"");
        }
        return text.substring(0, at + 1) + replacement + text.substring(at + 1 + line.length());
    }
}
