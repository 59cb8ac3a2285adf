package org.directmilter.milter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.directmilter.crypto.text.LogSafe;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.Assembly;
import org.directmilter.milter.daemon.ExitStatus;
import org.directmilter.milter.notify.DeliveryReport;
import org.directmilter.milter.notify.Notice;
import org.directmilter.milter.notify.Notifier;
import org.directmilter.milter.notify.Submission;
import org.directmilter.milter.notify.OriginalMessage;
import org.directmilter.milter.policy.Mailboxes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code direct-milter notify}: the MTA's delivery report about a verified incoming message in, the
 * {@code dispatched} or {@code failed} MDNs out. Postfix runs it through a pipe transport for the
 * IncomingEnvelopeSender address, to which every report about verified mail goes.
 */
@Command(name = "notify",
        header = "Turn the MTA's delivery report about verified mail into dispatched and failed MDNs.",
        description = {
            "Reads a delivery status notification (RFC 3464) from IN, as the MTA sends it to "
                    + "IncomingEnvelopeSender about a verified incoming message, and for each recipient sends "
                    + "through NotificationCommand: a failed MDN when delivery failed; a dispatched MDN with the "
                    + "X-DIRECT-FINAL-DESTINATION-DELIVERY field when the message was delivered and its sender "
                    + "asked for timely and reliable delivery. Other actions (relayed, delayed, expanded) are "
                    + "reported and ignored, as is a message that is no delivery report.",
            "",
            "Each recipient's outcome is printed on standard output as one line, as the daemon's audit lines."
        },
        parameterListHeading = "%nOperands:%n",
        exitCodeList = {
            " 0:done, including reports that needed no MDN",
            "75:an MDN could not be handed to NotificationCommand (EX_TEMPFAIL): the MTA tries again later",
            "78:the configuration has errors (EX_CONFIG); each is printed on standard error",
            "64:bad command line (EX_USAGE)"
        })
final class NotifyCommand implements Callable<Integer> {

    /** sysexits' EX_TEMPFAIL: Postfix's pipe defers the report and delivers it to this command again. */
    static final int TEMPFAIL = 75;

    @Mixin
    Subcommand command;

    @Mixin
    ConfigFileOption config;

    @Parameters(index = "0", arity = "0..1", paramLabel = "IN",
            description = "The report; standard input when absent (as a pipe transport gives it).")
    Path in;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = command.out();
        PrintWriter err = command.err();
        Optional<MilterConfig> loaded = config.loadOrReport(err);
        if (loaded.isEmpty()) {
            return ExitStatus.CONFIG;
        }
        byte[] bytes;
        try (InputStream stream = in == null ? System.in : Files.newInputStream(in)) {
            bytes = stream.readNBytes(16 << 20);
        }
        DeliveryReport report = DeliveryReport.parse(new String(bytes, StandardCharsets.ISO_8859_1));
        if (report.recipients().isEmpty() || report.returnedHeader().isEmpty()) {
            out.println("event=notification outcome=not-sent reason="
                    + LogSafe.value("not a delivery report with recipients and the returned header"));
            out.flush();
            return ExitStatus.OK;
        }
        OriginalMessage original = new OriginalMessage(report.returned("Message-ID"), addresses(report, "From"),
                addresses(report, "Disposition-Notification-To"), report.returned("Content-Type").orElse("text/plain"),
                report.returned("Disposition-Notification-Options").orElse(""));
        try (Submission submission = Assembly.submission(loaded.get())) {
            return notify(out, report, original, Assembly.notifier(loaded.get(), submission));
        }
    }

    /** A notification per recipient with a final status; the exit status tempfails when one was not handed over. */
    private static int notify(PrintWriter out, DeliveryReport report, OriginalMessage original, Notifier notifier) {
        int status = ExitStatus.OK;
        for (DeliveryReport.RecipientStatus recipient : report.recipients()) {
            if (!recipient.delivered() && !recipient.failed()) {
                print(out, recipient.action(), original, new Notice.NotSent(recipient.finalRecipient(), null,
                        "action " + recipient.action() + " is not final"));
                continue;
            }
            Notice notice = notifier.delivery(original, new Notifier.Recipient(recipient.finalRecipient(),
                    recipient.originalRecipient()), recipient.delivered(), recipient.status());
            print(out, recipient.action(), original, notice);
            if (notice instanceof Notice.Failed) {
                status = TEMPFAIL;
            }
        }
        out.flush();
        return status;
    }

    private static List<String> addresses(DeliveryReport report, String name) {
        List<String> out = new ArrayList<>();
        report.returnedAll(name).forEach(v -> out.addAll(Mailboxes.parse(v)));
        return out;
    }

    private static void print(PrintWriter out, String action, OriginalMessage original, Notice notice) {
        StringBuilder line = new StringBuilder("event=notification outcome=").append(notice.outcome())
                .append(" action=").append(LogSafe.value(action))
                .append(" rcpt=").append(LogSafe.value(notice.recipient()));
        original.messageId().ifPresent(id -> line.append(" msgid=").append(LogSafe.value(id)));
        if (notice instanceof Notice.Sent sent) {
            line.append(" disposition=").append(sent.disposition().text()).append(" to=")
                    .append(LogSafe.value(sent.destination())).append(" mdn=").append(LogSafe.value(sent.messageId()));
        } else if (notice instanceof Notice.NotSent skipped) {
            line.append(" reason=").append(LogSafe.value(skipped.reason()));
        } else if (notice instanceof Notice.Failed failed) {
            line.append(" reason=").append(LogSafe.value(failed.reason()));
        }
        out.println(line);
    }
}
