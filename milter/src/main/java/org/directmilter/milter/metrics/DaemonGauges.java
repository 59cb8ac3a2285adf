package org.directmilter.milter.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the daemon holds now, read at each scrape of the metrics endpoint. Implementations answer
 * quickly from memory (a directory listing at most) and never throw: a value they cannot have is
 * reported as 0 or left out.
 */
public interface DaemonGauges {

    /** Nothing yet: before the daemon starts, and in tools. */
    DaemonGauges NONE = new DaemonGauges() {
    };

    /** One subscribed trust bundle: its configured name, when the copy in force was had, whether stale. */
    record Bundle(String name, Optional<Instant> fetched, boolean stale) {
    }

    default int openConnections() {
        return 0;
    }

    /** Message bytes in the heap budget shared by all connections. */
    default long spoolBytesInMemory() {
        return 0;
    }

    /** Message bytes in this process's spool files. */
    default long spoolBytesOnDisk() {
        return 0;
    }

    /** When the first certificate of the KeyStore's keys expires; empty when there is none. */
    default Optional<Instant> earliestKeyExpiry() {
        return Optional.empty();
    }

    /** When the first trust anchor in force expires; empty when there is none. */
    default Optional<Instant> earliestAnchorExpiry() {
        return Optional.empty();
    }

    default int anchorDirAnchors() {
        return 0;
    }

    default int bundleAnchors() {
        return 0;
    }

    default List<Bundle> bundles() {
        return List.of();
    }
}
