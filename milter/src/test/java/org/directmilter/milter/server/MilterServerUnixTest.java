package org.directmilter.milter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class MilterServerUnixTest {

    @TempDir
    Path dir;

    private final RecordingFactory factory = new RecordingFactory();
    private MilterServer server;

    @RegisterExtension
    final StopServerAfterEach stopServer = new StopServerAfterEach(() -> server);

    private SocketSpec specFor(Path path) {
        return SocketSpec.parse("local:" + path);
    }

    @Test
    void servesOnAUnixSocketWithTheConfiguredMode() throws Exception {
        Path path = dir.resolve("dm.sock");
        server = MilterServer.bind(specFor(path), ServerSettings.defaults(), factory);
        server.start();

        assertThat(server.port()).isEqualTo(-1);
        assertThat(server.boundAddress()).isEqualTo(UnixDomainSocketAddress.of(path));
        assertThat(ServerSockets.isSocket(path)).isTrue();
        assertThat(permissions(path)).isEqualTo("rw-rw----");
        try (Client client = Client.connect(server.boundAddress())) {
            assertThat(client.call("over unix")).isEqualTo("over unix");
            assertThat(factory.next().peer).isEqualTo("unix");
        }
    }

    @Test
    void modeIsSetExplicitlyEvenWhereTheUmaskWouldForbidIt() throws Exception {
        // The umask (022 in most test runs) never grants group or other write; an explicit chmod does.
        Path path = dir.resolve("dm.sock");
        server = MilterServer.bind(specFor(path), withMode("rw-rw-rw-", Optional.empty()), factory);

        assertThat(permissions(path)).isEqualTo("rw-rw-rw-");
    }

    @Test
    void modeIsSetExplicitlyUnderARestrictiveUmask() throws Exception {
        Path path = dir.resolve("dm.sock");
        Path plain = dir.resolve("plain-file");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process probe = new ProcessBuilder("sh", "-c", "umask 077 && exec \"$0\" \"$@\"",
                javaBin, "-cp", System.getProperty("java.class.path"), UmaskProbe.class.getName(),
                path.toString(), plain.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        // The child's log lines share stdout with its "bound" signal.
        BufferedReader out = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8));
        try {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("bound"));
            assertThat(line).as("the probe bound its socket").isEqualTo("bound");

            assertThat(permissions(plain)).as("the umask really was 077").isEqualTo("rw-------");
            assertThat(permissions(path)).isEqualTo("rw-rw----");
        } finally {
            probe.getOutputStream().close();
            out.transferTo(Writer.nullWriter());
            if (!probe.waitFor(20, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
            }
        }
        assertThat(probe.exitValue()).isZero();
        assertThat(path).doesNotExist();
    }

    @Test
    void setsTheGroupWhenOneIsConfigured() throws Exception {
        Path path = dir.resolve("dm.sock");
        String group = Files.readAttributes(dir, PosixFileAttributes.class).group().getName();
        server = MilterServer.bind(specFor(path), withMode("rw-rw----", Optional.of(group)), factory);

        assertThat(Files.readAttributes(path, PosixFileAttributes.class).group().getName()).isEqualTo(group);
    }

    @Test
    void anUnknownGroupFailsAndLeavesNoSocketBehind() {
        Path path = dir.resolve("dm.sock");

        assertThatThrownBy(() -> MilterServer.bind(specFor(path),
                withMode("rw-rw----", Optional.of("no-such-group-dm")), factory))
                .isInstanceOf(IOException.class)
                .hasMessage("local:" + path + ": group 'no-such-group-dm' does not exist");
        assertThat(path).doesNotExist();
    }

    @Test
    void replacesAStaleSocketThatNobodyAnswers() throws Exception {
        Path path = dir.resolve("dm.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(path));
        }
        assertThat(path).as("closing a Unix listener leaves its file behind, as a crash does").exists();

        server = MilterServer.bind(specFor(path), ServerSettings.defaults(), factory);
        server.start();

        try (Client client = Client.connect(server.boundAddress())) {
            assertThat(client.call("fresh")).isEqualTo("fresh");
        }
    }

    @Test
    void refusesASocketThatALiveProcessStillAnswers() throws Exception {
        Path path = dir.resolve("dm.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(path));

            assertThatThrownBy(() -> MilterServer.bind(specFor(path), ServerSettings.defaults(), factory))
                    .isInstanceOf(IOException.class)
                    .hasMessage("local:" + path + ": a process is still listening on " + path
                            + " — is another direct-milter or milter running?");
            assertThat(path).exists();
            try (SocketChannel stillTheirs = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                assertThat(stillTheirs.isConnected()).isTrue();
            }
        }
    }

    @Test
    void refusesToDeleteAFileThatIsNotASocket() throws Exception {
        Path path = dir.resolve("dm.sock");
        Files.writeString(path, "precious");

        assertThatThrownBy(() -> MilterServer.bind(specFor(path), ServerSettings.defaults(), factory))
                .isInstanceOf(IOException.class)
                .hasMessage("local:" + path + ": " + path + " exists and is not a socket; refusing to delete it —"
                        + " remove it yourself or choose another path");
        assertThat(path).hasContent("precious");
    }

    @Test
    void refusesASymbolicLinkAtThePath() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "precious");
        Path path = Files.createSymbolicLink(dir.resolve("dm.sock"), target);

        assertThatThrownBy(() -> MilterServer.bind(specFor(path), ServerSettings.defaults(), factory))
                .hasMessageContaining("exists and is not a socket; refusing to delete it");
        assertThat(Files.isSymbolicLink(path)).isTrue();
    }

    @Test
    void refusesAMissingDirectory() {
        Path missing = dir.resolve("no-such-dir");
        Path path = missing.resolve("dm.sock");

        assertThatThrownBy(() -> MilterServer.bind(specFor(path), ServerSettings.defaults(), factory))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("local:" + path + ": directory " + missing + " does not exist;"
                        + " create it (writable by user ")
                .hasMessageEndingWith(") or choose another path");
    }

    @Test
    void refusesAnUnwritableDirectory() throws Exception {
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-x------"));
        try {
            Assumptions.assumeFalse(Files.isWritable(locked), "running as root: every directory is writable");
            Path path = locked.resolve("dm.sock");

            assertThatThrownBy(() -> MilterServer.bind(specFor(path), ServerSettings.defaults(), factory))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("local:" + path + ": directory " + locked + " is not writable by user ")
                    .hasMessageEndingWith("; fix its owner or mode, or choose another path");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void stopDeletesTheSocketFileAndNothingAcceptsAnyMore() throws Exception {
        Path path = dir.resolve("dm.sock");
        server = MilterServer.bind(specFor(path), ServerSettings.defaults(), factory);
        server.start();
        try (Client client = Client.connect(server.boundAddress())) {
            assertThat(client.call("before")).isEqualTo("before");
        }

        server.stop(Duration.ofSeconds(5));

        assertThat(path).doesNotExist();
        assertThatThrownBy(() -> SocketChannel.open(UnixDomainSocketAddress.of(path)).close())
                .isInstanceOf(IOException.class);
    }

    @Test
    void stopLeavesASocketThatAnotherInstanceBoundSinceAlone() throws Exception {
        Path path = dir.resolve("dm.sock");
        server = MilterServer.bind(specFor(path), ServerSettings.defaults(), factory);
        // An operator removed our socket and another instance took the path over.
        Files.delete(path);
        try (ServerSocketChannel successor = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            successor.bind(UnixDomainSocketAddress.of(path));

            server.stop(Duration.ofSeconds(1));

            assertThat(path).exists();
        }
    }

    private static ServerSettings withMode(String mode, Optional<String> group) {
        ServerSettings defaults = ServerSettings.defaults();
        return new ServerSettings(defaults.maxConnections(), defaults.idleTimeout(), defaults.readTimeout(),
                PosixFilePermissions.fromString(mode), group);
    }

    static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
