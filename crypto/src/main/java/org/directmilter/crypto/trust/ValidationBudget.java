package org.directmilter.crypto.trust;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What all validations for one message may spend together: how many certificates are judged, how many
 * network fetches are made and how long fetching may go on. A sender controls how many signers and
 * URLs a message carries; this caps what they cost, whatever their number. Once a limit is reached,
 * further certificates are refused unjudged and further fetches are not attempted (their results count
 * as unknown).
 *
 * <p>Thread-safe; what was spent is reported by {@link #report()}, so tests and the audit line can
 * show it without timing anything themselves.
 */
public final class ValidationBudget {

    /**
     * @param certificates distinct certificates one message may have judged (signers, or a recipient's
     *                     published certificates)
     * @param fetches      HTTP fetches (CRLs and AIA issuers) one message may cause
     * @param time         how long after the budget was started fetches may still begin or run
     */
    public record Limits(int certificates, int fetches, Duration time) {
    }

    /**
     * What was spent.
     *
     * @param certificates distinct certificates judged
     * @param fetches      fetches begun
     * @param fetchTime    time spent in fetches, summed
     * @param exhausted    true when a limit refused a certificate or a fetch
     */
    public record Report(int certificates, int fetches, Duration fetchTime, boolean exhausted) {
    }

    private final Limits limits;
    private final long deadline;
    private final Set<X509Certificate> judged = new HashSet<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicLong fetchNanos = new AtomicLong();
    private volatile boolean exhausted;

    private ValidationBudget(Limits limits) {
        this.limits = limits;
        this.deadline = System.nanoTime() + limits.time().toNanos();
    }

    /** A budget starting now. */
    public static ValidationBudget start(Limits limits) {
        return new ValidationBudget(limits);
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Counts a certificate to judge; false (and nothing counted) when it is a new one beyond the limit.
     * A certificate judged again (the same signer for another recipient domain) costs nothing more.
     */
    synchronized boolean admitCertificate(X509Certificate certificate) {
        if (judged.contains(certificate)) {
            return true;
        }
        if (judged.size() >= limits.certificates()) {
            exhausted = true;
            return false;
        }
        judged.add(certificate);
        return true;
    }

    /** Claims one fetch: the time it may take, or zero when the budget refuses it. */
    Duration claimFetch() {
        Duration left = remaining();
        if (left.isZero() || fetches.incrementAndGet() > limits.fetches()) {
            exhausted = true;
            return Duration.ZERO;
        }
        return left;
    }

    /** Records how long a claimed fetch took. */
    void fetched(Duration took) {
        fetchNanos.addAndGet(took.toNanos());
    }

    /** The time left for fetches. */
    public Duration remaining() {
        long left = deadline - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    public Report report() {
        int certificates;
        synchronized (this) {
            certificates = judged.size();
        }
        return new Report(certificates, Math.min(fetches.get(), limits.fetches()),
                Duration.ofNanos(fetchNanos.get()), exhausted);
    }
}
