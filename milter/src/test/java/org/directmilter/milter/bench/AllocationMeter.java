package org.directmilter.milter.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * How many bytes of heap the daemon has allocated so far, seen from outside over JMX: the heap in use now
 * plus everything its collections have freed (each collection's notification says how much each heap pool
 * held before and after). Java 17 has no cumulative allocation counter for a whole process, and the
 * connection threads that allocate end with their connection, so per-thread counters would miss them.
 */
final class AllocationMeter implements NotificationListener {
    private final MemoryMXBean heap;
    private final List<GarbageCollectorMXBean> collectors;
    private final Set<String> heapPools;
    private final AtomicLong freed = new AtomicLong();
    private final AtomicLong notified = new AtomicLong();
    private final long collectionsBefore;
    private final long usedBefore;

    AllocationMeter(MBeanServerConnection jmx) throws Exception {
        this.heap = ManagementFactory.getPlatformMXBean(jmx, MemoryMXBean.class);
        this.collectors = ManagementFactory.getPlatformMXBeans(jmx, GarbageCollectorMXBean.class);
        this.heapPools = ManagementFactory.getPlatformMXBeans(jmx, MemoryPoolMXBean.class).stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        for (GarbageCollectorMXBean collector : collectors) {
            jmx.addNotificationListener(collector.getObjectName(), this, null, null);
        }
        this.collectionsBefore = collections();
        this.usedBefore = heap.getHeapMemoryUsage().getUsed();
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
        if (!notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
        freed.addAndGet(used(info.getMemoryUsageBeforeGc()) - used(info.getMemoryUsageAfterGc()));
        notified.incrementAndGet();
    }

    /** Bytes allocated since this meter started (approximately: a collection running meanwhile blurs it). */
    long allocated() throws IOException, InterruptedException {
        // notifications come asynchronously: wait (with a deadline) until every collection so far was reported
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (notified.get() < collections() - collectionsBefore && System.nanoTime() < deadline) {
            Thread.sleep(10); // a benchmark, not a test: nothing to poll but the counter
        }
        return heap.getHeapMemoryUsage().getUsed() + freed.get() - usedBefore;
    }

    private long collections() {
        return collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private long used(Map<String, MemoryUsage> pools) {
        return pools.entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
                .mapToLong(e -> e.getValue().getUsed()).sum();
    }
}
