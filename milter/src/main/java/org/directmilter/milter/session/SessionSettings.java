package org.directmilter.milter.session;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Limits and timings of one milter session.
 *
 * @param maxFrameBytes       largest packet accepted from the MTA; larger is a protocol error
 * @param spoolThresholdBytes body size above which the body goes to a temporary file
 * @param spoolDirectory      where such files go (created 0600, deleted after the message)
 * @param progressInterval    how often PROGRESS is sent while end-of-message work runs
 * @param endOfMessageTimeout longest end-of-message work before the message is tempfailed
 * @param workers             threads doing end-of-message work for all connections
 * @param limits              what a message may make the daemon hold
 */
public record SessionSettings(int maxFrameBytes, long spoolThresholdBytes, Path spoolDirectory,
                              Duration progressInterval, Duration endOfMessageTimeout, int workers,
                              MessageLimits limits) {

    /** With the default {@link MessageLimits}. */
    public SessionSettings(int maxFrameBytes, long spoolThresholdBytes, Path spoolDirectory,
                           Duration progressInterval, Duration endOfMessageTimeout, int workers) {
        this(maxFrameBytes, spoolThresholdBytes, spoolDirectory, progressInterval, endOfMessageTimeout, workers,
                MessageLimits.defaults());
    }

    public SessionSettings {
        if (maxFrameBytes < 65_536) {
            throw new IllegalArgumentException("MaxFrameSize must be at least 65536 bytes (MTAs send 64 KiB body chunks)");
        }
        if (progressInterval.isZero() || progressInterval.isNegative()) {
            throw new IllegalArgumentException("ProgressInterval must be positive");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("Workers must be at least 1");
        }
        java.util.Objects.requireNonNull(limits, "limits");
    }

    public static SessionSettings defaults() {
        return new SessionSettings(1 << 20, 1 << 20, Path.of(System.getProperty("java.io.tmpdir")),
                Duration.ofSeconds(10), Duration.ofSeconds(240), Runtime.getRuntime().availableProcessors());
    }

    public SessionSettings withProgressInterval(Duration interval) {
        return new SessionSettings(maxFrameBytes, spoolThresholdBytes, spoolDirectory, interval, endOfMessageTimeout, workers, limits);
    }

    public SessionSettings withSpool(long thresholdBytes, Path directory) {
        return new SessionSettings(maxFrameBytes, thresholdBytes, directory, progressInterval, endOfMessageTimeout, workers, limits);
    }

    public SessionSettings withEndOfMessageTimeout(Duration timeout) {
        return new SessionSettings(maxFrameBytes, spoolThresholdBytes, spoolDirectory, progressInterval, timeout, workers, limits);
    }

    public SessionSettings withLimits(MessageLimits newLimits) {
        return new SessionSettings(maxFrameBytes, spoolThresholdBytes, spoolDirectory, progressInterval,
                endOfMessageTimeout, workers, newLimits);
    }
}
