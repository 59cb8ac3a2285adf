package org.directmilter.milter.server;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM under {@code umask 077} (Java cannot change its own umask): binds a Unix socket,
 * creates a plain file to show the umask is in force, says "bound", and stops when stdin closes.
 */
final class UmaskProbe {

    private UmaskProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        Files.writeString(Path.of(args[1]), "umask witness");
        try (MilterServer server = MilterServer.bind(SocketSpec.parse("local:" + socket),
                ServerSettings.defaults(), (channel, peer) -> {
                    throw new IllegalStateException("the probe serves nobody");
                })) {
            System.out.println("bound");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the test to close our stdin
            }
        }
    }
}
