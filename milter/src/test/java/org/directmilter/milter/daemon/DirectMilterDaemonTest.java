package org.directmilter.milter.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.daemon.DaemonContext;
import org.apache.commons.daemon.DaemonController;
import org.apache.commons.daemon.DaemonInitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectMilterDaemonTest {

    private static DaemonContext context(String... args) {
        return new DaemonContext() {
            @Override
            public DaemonController getController() {
                return null;
            }

            @Override
            public String[] getArguments() {
                return args;
            }
        };
    }

    @Test
    void argumentsNameTheConfigFile() throws Exception {
        assertThat(DirectMilterDaemon.configFile(new String[0]))
                .isEqualTo(Path.of("/etc/direct-milter/direct-milter.conf"));
        assertThat(DirectMilterDaemon.configFile(null)).isEqualTo(Path.of("/etc/direct-milter/direct-milter.conf"));
        assertThat(DirectMilterDaemon.configFile(new String[] {"-c", "/x.conf"})).isEqualTo(Path.of("/x.conf"));
        assertThat(DirectMilterDaemon.configFile(new String[] {"--config=/y.conf"})).isEqualTo(Path.of("/y.conf"));
        assertThatThrownBy(() -> DirectMilterDaemon.configFile(new String[] {"-c"}))
                .isInstanceOf(DaemonInitException.class).hasMessageContaining("needs a file name");
        assertThatThrownBy(() -> DirectMilterDaemon.configFile(new String[] {"-x"}))
                .isInstanceOf(DaemonInitException.class).hasMessageContaining("unknown argument \"-x\"");
    }

    @Test
    void jsvcLifecycleServesReloadsAndStops(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dm.conf");
        Files.writeString(file, "Socket inet:0@127.0.0.1\nDomains a.example\nTemporaryDirectory " + dir + "\n");
        DirectMilterDaemon daemon = new DirectMilterDaemon();
        daemon.init(context("-c", file.toString()));
        daemon.start();
        Files.writeString(file, "garbage here\n");
        daemon.signal(); // a bad file is logged, not fatal
        daemon.stop();
        daemon.destroy();
        daemon.signal(); // after destroy: ignored
    }

    @Test
    void initFailsWithTheConfigErrorAsMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dm.conf");
        Files.writeString(file, "Socket nowhere\n");
        assertThatThrownBy(() -> new DirectMilterDaemon().init(context("-c", file.toString())))
                .isInstanceOf(DaemonInitException.class)
                .hasMessageStartingWith(file + ":1: bad value for \"Socket\"");
    }

    @Test
    void destroyAfterInitWithoutStartReleasesTheSocket(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dm.conf");
        Files.writeString(file, "Socket inet:0@127.0.0.1\nDomains a.example\nTemporaryDirectory " + dir + "\n");
        DirectMilterDaemon daemon = new DirectMilterDaemon();
        daemon.init(context("-c", file.toString()));
        int port = daemon.runner().port();
        daemon.destroy();
        try (Socket late = new Socket()) {
            assertThatThrownBy(() -> late.connect(new InetSocketAddress("127.0.0.1", port), 1_000))
                    .isInstanceOf(java.io.IOException.class);
        }
    }
}
