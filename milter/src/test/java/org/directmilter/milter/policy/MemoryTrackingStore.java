package org.directmilter.milter.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.directmilter.milter.tracking.Correlation;
import org.directmilter.milter.tracking.MessageTrack;
import org.directmilter.milter.tracking.Overdue;
import org.directmilter.milter.tracking.RecipientState;
import org.directmilter.milter.tracking.RecipientTrack;
import org.directmilter.milter.tracking.Report;
import org.directmilter.milter.tracking.TrackedMessage;
import org.directmilter.milter.tracking.TrackingStore;

/**
 * A {@link TrackingStore} in memory with the contract's semantics, for the policy's tests (the real
 * stores have their own); {@link #failing} makes every call throw as a broken database would.
 */
final class MemoryTrackingStore implements TrackingStore {

    private final Map<String, TrackedMessage> messages = new LinkedHashMap<>();
    private final Map<String, Map<String, RecipientState>> states = new LinkedHashMap<>();
    private final Map<String, Map<String, Boolean>> dispatchedEarly = new LinkedHashMap<>();
    volatile boolean failing;
    /** The thread that recorded the last message: the commit must not hold a CPU-sized worker. */
    volatile String recordedOn;

    private void check() {
        if (failing) {
            throw new TrackingException("database is locked", null);
        }
    }

    @Override
    public synchronized void record(TrackedMessage message) {
        recordedOn = Thread.currentThread().getName();
        check();
        if (messages.putIfAbsent(message.messageId(), message) == null) {
            Map<String, RecipientState> each = new LinkedHashMap<>();
            message.recipients().forEach(r -> each.put(r, RecipientState.PENDING));
            states.put(message.messageId(), each);
            dispatchedEarly.put(message.messageId(), new LinkedHashMap<>());
        }
    }

    @Override
    public synchronized Correlation correlate(Report report) {
        check();
        TrackedMessage message = messages.get(report.originalMessageId());
        Map<String, RecipientState> each = states.get(report.originalMessageId());
        if (message == null || !each.containsKey(report.recipient())) {
            return new Correlation.Unknown();
        }
        RecipientState state = each.get(report.recipient());
        if (state.terminal()) {
            return new Correlation.Duplicate(state);
        }
        switch (report.kind()) {
            case FAILED -> {
                each.put(report.recipient(), RecipientState.FAILED);
                return new Correlation.Completed(RecipientState.FAILED);
            }
            case PROCESSED -> {
                if (state == RecipientState.PROCESSED) {
                    return new Correlation.Duplicate(state);
                }
                boolean dispatched = dispatchedEarly.get(message.messageId()).getOrDefault(report.recipient(), false);
                RecipientState next = message.timelyAndReliable() && dispatched ? RecipientState.DISPATCHED
                        : RecipientState.PROCESSED;
                each.put(report.recipient(), next);
                return message.timelyAndReliable() && !dispatched ? new Correlation.Progress(next)
                        : new Correlation.Completed(next);
            }
            default -> {
                if (!message.timelyAndReliable()) {
                    return new Correlation.Duplicate(state);
                }
                if (state == RecipientState.PROCESSED) {
                    each.put(report.recipient(), RecipientState.DISPATCHED);
                    return new Correlation.Completed(RecipientState.DISPATCHED);
                }
                if (dispatchedEarly.get(message.messageId()).put(report.recipient(), true) != null) {
                    return new Correlation.Duplicate(state);
                }
                return new Correlation.Progress(state);
            }
        }
    }

    @Override
    public synchronized int settleOverdue(Instant now, int limit, OverdueHandler handler) {
        check();
        int settled = 0;
        for (TrackedMessage message : messages.values()) {
            for (Map.Entry<String, RecipientState> e : states.get(message.messageId()).entrySet()) {
                Optional<Overdue> overdue = Optional.empty();
                if (e.getValue() == RecipientState.PENDING && message.processedBy().isBefore(now)) {
                    overdue = Optional.of(new Overdue(message, e.getKey(), Report.Kind.PROCESSED, message.processedBy()));
                } else if (e.getValue() == RecipientState.PROCESSED && message.timelyAndReliable()
                        && message.dispatchedBy().orElseThrow().isBefore(now)) {
                    overdue = Optional.of(new Overdue(message, e.getKey(), Report.Kind.DISPATCHED,
                            message.dispatchedBy().get()));
                }
                if (overdue.isPresent() && settled < limit) {
                    try {
                        handler.notify(overdue.get());
                    } catch (Exception ex) {
                        continue;
                    }
                    e.setValue(RecipientState.TIMED_OUT);
                    settled++;
                }
            }
        }
        return settled;
    }

    /** A recipient's state, for assertions. */
    synchronized RecipientState state(String messageId, String recipient) {
        return states.get(messageId).get(recipient);
    }

    @Override
    public synchronized Optional<MessageTrack> find(String messageId) {
        TrackedMessage message = messages.get(messageId);
        if (message == null) {
            return Optional.empty();
        }
        List<RecipientTrack> recipients = new ArrayList<>();
        states.get(messageId).forEach((r, s) -> recipients.add(new RecipientTrack(r, s, Optional.empty(),
                Optional.empty(), Optional.empty(), "")));
        return Optional.of(new MessageTrack(message, recipients));
    }

    @Override
    public synchronized List<MessageTrack> pending(int limit) {
        return messages.keySet().stream().map(id -> find(id).orElseThrow())
                .filter(t -> t.recipients().stream().anyMatch(r -> !r.state().terminal())).limit(limit).toList();
    }

    @Override
    public int purge(Instant before) {
        return 0;
    }

    @Override
    public void close() {
    }
}
