package org.directmilter.milter.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.directmilter.crypto.text.LogSafe;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.ExitStatus;
import org.directmilter.milter.daemon.StartupException;
import org.directmilter.milter.daemon.TrackingStores;
import org.directmilter.milter.tracking.JdbcTrackingStore;
import org.directmilter.milter.tracking.MessageTrack;
import org.directmilter.milter.tracking.RecipientState;
import org.directmilter.milter.tracking.RecipientTrack;
import org.directmilter.milter.tracking.TrackedMessage;
import org.directmilter.milter.tracking.TrackingStore.TrackingException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code direct-milter track}: what became of an outgoing message, per recipient; or what is still open. */
@Command(name = "track",
        header = "Show what became of an outgoing message per recipient, or what is still open.",
        description = {
            "Reads the tracking store the daemon writes (TrackingDatabase: the SQLite file or the shared "
                    + "PostgreSQL database) and changes nothing in it.",
            "",
            "With MESSAGE-ID (angle brackets optional; quote it for the shell), prints the message as it was "
                    + "recorded (sender, queue id, when it was sent, its deadlines, whether timely and reliable "
                    + "delivery was asked for) and one line per recipient: its state (PENDING, PROCESSED, "
                    + "DISPATCHED, FAILED, TIMED_OUT), the times the processed and dispatched MDNs came back and "
                    + "the time it became final, or what it still waits for and until when, and the last "
                    + "report's detail (a disposition or DSN status).",
            "",
            "With --pending, lists the messages that have a recipient not yet final, oldest first: each "
                    + "message on one line, then its open recipients with what they wait for and until when "
                    + "(OVERDUE once the deadline passed: the daemon is about to tell the sender)."
        },
        exitCodeList = {
            " 0:the message or the open messages were shown (none open included)",
            " 1:no tracked message has this Message-ID: never recorded, or purged after TrackingRetentionDays",
            "69:the tracking database cannot be opened or read (EX_UNAVAILABLE)",
            "78:the configuration has errors, or TrackingPasswordFile is unreadable or unsafe (EX_CONFIG)",
            "64:bad command line (EX_USAGE)"
        })
final class TrackCommand implements Callable<Integer> {

    /** The code for a Message-ID the store does not know. */
    static final int NOT_TRACKED = 1;

    @Mixin
    Subcommand command;

    @Mixin
    ConfigFileOption config;

    @Option(names = "--pending", description = "list the messages with a recipient not yet final, oldest first")
    boolean pending;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "with --pending: show at most N messages (default: ${DEFAULT-VALUE})")
    int limit;

    @Parameters(arity = "0..1", paramLabel = "MESSAGE-ID", description = "the Message-ID of an outgoing message")
    String messageId;

    @Override
    public Integer call() {
        if (pending == (messageId != null)) {
            return command.fail(ExitStatus.USAGE, "give either a MESSAGE-ID or --pending");
        }
        if (limit < 1) {
            return command.fail(ExitStatus.USAGE, "--limit must be at least 1");
        }
        Optional<MilterConfig> loaded = config.loadOrReport(command.err());
        if (loaded.isEmpty()) {
            return ExitStatus.CONFIG;
        }
        try (JdbcTrackingStore store = TrackingStores.open(loaded.get(), false)) {
            PrintWriter out = command.out();
            int status = pending ? showPending(store, out) : showMessage(store, out);
            out.flush();
            return status;
        } catch (StartupException e) {
            return command.fail(e.exitStatus(), e.getMessage());
        } catch (TrackingException e) {
            return command.fail(ExitStatus.UNAVAILABLE, e.getMessage());
        }
    }

    private int showMessage(JdbcTrackingStore store, PrintWriter out) {
        Optional<MessageTrack> found = store.find(messageId);
        if (found.isEmpty()) {
            return command.fail(NOT_TRACKED, "no tracked message " + LogSafe.escape(messageId) + " in "
                    + store.description());
        }
        TrackedMessage message = found.get().message();
        out.println("Message-ID: " + LogSafe.escape(message.messageId()));
        out.println("Sender:     " + LogSafe.escape(message.sender()));
        out.println("Queue ID:   " + LogSafe.escape(message.queueId()));
        out.println("Sent:       " + message.sent());
        out.println("Requested:  " + (message.timelyAndReliable()
                ? "timely and reliable: processed MDN by " + message.processedBy() + ", dispatched MDN by "
                        + message.dispatchedBy().orElseThrow()
                : "processed MDN by " + message.processedBy()));
        int width = width(found.get().recipients());
        Instant now = Instant.now();
        for (RecipientTrack recipient : found.get().recipients()) {
            StringBuilder line = new StringBuilder(row(recipient, width));
            recipient.processedAt().ifPresent(t -> line.append("  processed ").append(t));
            recipient.dispatchedAt().ifPresent(t -> line.append("  dispatched ").append(t));
            if (recipient.finalAt().isPresent()) {
                line.append("  final ").append(recipient.finalAt().get());
            } else {
                line.append("  ").append(waiting(message, recipient, now));
            }
            if (!recipient.detail().isEmpty()) {
                line.append("  (").append(LogSafe.escape(recipient.detail())).append(')');
            }
            out.println(line);
        }
        return ExitStatus.OK;
    }

    private int showPending(JdbcTrackingStore store, PrintWriter out) {
        List<MessageTrack> open = store.pending(limit);
        Instant now = Instant.now();
        for (MessageTrack track : open) {
            TrackedMessage message = track.message();
            List<RecipientTrack> waiting = track.recipients().stream().filter(r -> r.finalAt().isEmpty()).toList();
            out.println(message.sent() + "  " + LogSafe.escape(message.messageId()) + "  from "
                    + LogSafe.escape(message.sender()) + "  queue " + LogSafe.escape(message.queueId()) + "  "
                    + waiting.size() + " of " + track.recipients().size() + " open");
            int width = width(waiting);
            for (RecipientTrack recipient : waiting) {
                out.println(row(recipient, width) + "  " + waiting(message, recipient, now));
            }
        }
        out.println(open.size() + (open.size() == 1 ? " message" : " messages") + " with recipients not yet final"
                + (open.size() == limit ? " (the oldest " + limit + " shown: --limit N for more)" : ""));
        return ExitStatus.OK;
    }

    /** What an open recipient waits for and until when. */
    private static String waiting(TrackedMessage message, RecipientTrack recipient, Instant now) {
        boolean processed = recipient.state() == RecipientState.PROCESSED;
        Instant due = processed ? message.dispatchedBy().orElseThrow() : message.processedBy();
        return "waiting for " + (processed ? "dispatched" : "processed") + " MDN until " + due
                + (due.isBefore(now) ? " OVERDUE" : "");
    }

    private static String row(RecipientTrack recipient, int width) {
        String address = LogSafe.escape(recipient.recipient());
        return "  " + address + " ".repeat(Math.max(0, width - address.length())) + "  "
                + String.format("%-10s", recipient.state());
    }

    private static int width(List<RecipientTrack> recipients) {
        return recipients.stream().mapToInt(r -> LogSafe.escape(r.recipient()).length()).max().orElse(0);
    }
}
