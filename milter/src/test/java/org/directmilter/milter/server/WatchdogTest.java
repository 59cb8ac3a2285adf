package org.directmilter.milter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.directmilter.milter.server.Watchdog.Timeout;
import org.junit.jupiter.api.Test;

class WatchdogTest {

    private static final ServerSettings SETTINGS = new ServerSettings(8, Duration.ofMinutes(10),
            Duration.ofMinutes(5), ServerSettings.defaults().socketMode(), Optional.empty());
    private static final long SIX_MINUTES = Duration.ofMinutes(6).toNanos();
    private static final long ELEVEN_MINUTES = Duration.ofMinutes(11).toNanos();

    @Test
    void idleTimeoutAppliesBetweenMessages() {
        assertThat(Watchdog.exceeded(false, false, SIX_MINUTES, SETTINGS)).isEmpty();
        assertThat(Watchdog.exceeded(false, false, ELEVEN_MINUTES, SETTINGS)).contains(Timeout.IDLE);
    }

    @Test
    void readTimeoutAppliesInsideAMessage() {
        assertThat(Watchdog.exceeded(true, false, Duration.ofMinutes(4).toNanos(), SETTINGS)).isEmpty();
        assertThat(Watchdog.exceeded(true, false, SIX_MINUTES, SETTINGS)).contains(Timeout.READ);
    }

    @Test
    void aWorkingConnectionIsNeverReaped() {
        assertThat(Watchdog.exceeded(true, true, Long.MAX_VALUE, SETTINGS)).isEmpty();
        assertThat(Watchdog.exceeded(false, true, Long.MAX_VALUE, SETTINGS)).isEmpty();
    }

    @Test
    void periodIsATenthOfTheSmallestTimeoutBetween10msAnd1s() {
        assertThat(Watchdog.period(SETTINGS)).isEqualTo(Duration.ofSeconds(1));
        assertThat(Watchdog.period(withTimeouts(Duration.ofSeconds(2), Duration.ofMinutes(1))))
                .isEqualTo(Duration.ofMillis(200));
        assertThat(Watchdog.period(withTimeouts(Duration.ofMinutes(1), Duration.ofMillis(50))))
                .isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void durationsReadLikeAnOperatorWritesThem() {
        assertThat(Durations.human(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(Durations.human(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Durations.human(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(Durations.human(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(Durations.human(Duration.ofHours(2).plusMillis(40))).isEqualTo("2h");
        assertThat(Durations.human(Duration.ofMillis(2500))).isEqualTo("2.5s");
        assertThat(Durations.human(Duration.ofMillis(300))).isEqualTo("300ms");
    }

    private static ServerSettings withTimeouts(Duration idle, Duration read) {
        return new ServerSettings(8, idle, read, SETTINGS.socketMode(), Optional.empty());
    }
}
