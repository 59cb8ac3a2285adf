package org.directmilter.milter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServerSettingsTest {

    @Test
    void defaultsSuitAPostfixHost() {
        ServerSettings defaults = ServerSettings.defaults();

        assertThat(defaults.maxConnections()).isEqualTo(256);
        assertThat(defaults.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(defaults.readTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.socketMode()).isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
        assertThat(defaults.socketModeOctal()).isEqualTo("0660");
        assertThat(defaults.socketGroup()).isEmpty();
    }

    @Test
    void modeIsCopiedAndImmutable() {
        Set<PosixFilePermission> mode = new HashSet<>(PosixFilePermissions.fromString("rw-------"));
        ServerSettings settings = new ServerSettings(1, Duration.ofSeconds(1), Duration.ofSeconds(1), mode,
                Optional.empty());
        mode.add(PosixFilePermission.OTHERS_WRITE);

        assertThat(settings.socketModeOctal()).isEqualTo("0600");
        assertThatThrownBy(() -> settings.socketMode().add(PosixFilePermission.OTHERS_READ))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(ServerSettings.octal(PosixFilePermissions.fromString("rwxr-x--x"))).isEqualTo("0751");
        assertThat(ServerSettings.octal(Set.of())).isEqualTo("0000");
    }

    @Test
    void rejectsNonsense() {
        Set<PosixFilePermission> mode = ServerSettings.defaults().socketMode();
        Duration second = Duration.ofSeconds(1);

        assertThatThrownBy(() -> new ServerSettings(0, second, second, mode, Optional.empty()))
                .hasMessage("maxConnections must be at least 1, not 0");
        assertThatThrownBy(() -> new ServerSettings(1, Duration.ZERO, second, mode, Optional.empty()))
                .hasMessage("idleTimeout must be positive, not PT0S");
        assertThatThrownBy(() -> new ServerSettings(1, second, second.negated(), mode, Optional.empty()))
                .hasMessage("readTimeout must be positive, not PT-1S");
        assertThatThrownBy(() -> new ServerSettings(1, second, second, mode, Optional.of(" ")))
                .hasMessage("socketGroup must not be blank");
    }
}
