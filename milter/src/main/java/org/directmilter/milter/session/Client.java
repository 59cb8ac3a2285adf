package org.directmilter.milter.session;

/** The SMTP client as the MTA described it at CONNECT. */
public record Client(String hostname, Family family, int port, String address) {

    public enum Family {
        INET, INET6, UNIX, UNKNOWN;

        static Family of(char code) {
            return switch (code) {
                case '4' -> INET;
                case '6' -> INET6;
                case 'L' -> UNIX;
                default -> UNKNOWN;
            };
        }
    }

    public static final Client UNKNOWN = new Client("unknown", Family.UNKNOWN, 0, "");
}
