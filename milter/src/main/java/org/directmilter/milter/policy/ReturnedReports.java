package org.directmilter.milter.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.directmilter.milter.notify.DeliveryReport;
import org.directmilter.milter.tracking.Report;

/**
 * What a notification that came back says about one of our outgoing messages, as tracking
 * {@link Report}s: an MDN (RFC 3798, the verified inner message of a Direct message) or a failure DSN
 * (RFC 3464, plaintext). Tolerant like {@link DeliveryReport}: what cannot be read gives no report, and
 * a message without one is delivered as it would be without tracking.
 */
final class ReturnedReports {

    /** How much of a notification is read: reports are short, a DSN's returned message is cut. */
    static final int MAX_READ = 256 * 1024;

    // compiled once: every verified message's Content-Type is asked whether it is an MDN's
    private static final Pattern WHITE_SPACE = Pattern.compile("\\s+");
    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary\\s*=\\s*(?:\"([^\"]+)\"|([^;\\s]+))");

    private ReturnedReports() {
    }

    /** Whether {@code contentType} is an MDN's (multipart/report; report-type=disposition-notification). */
    static boolean isMdn(String contentType) {
        String type = WHITE_SPACE.matcher(contentType.toLowerCase(Locale.ROOT)).replaceAll("");
        return type.startsWith("multipart/report") && (type.contains("report-type=disposition-notification")
                || type.contains("report-type=\"disposition-notification\""));
    }

    /**
     * The report of an MDN, {@code message} being its whole text (header and body); empty when it has no
     * Original-Message-ID, no rfc822 Final-Recipient or a disposition tracking does not count
     * ({@code displayed}, a user's read receipt, says nothing about the HISP).
     */
    static Optional<Report> mdn(String message, Instant at) {
        String text = message.replace("\r\n", "\n");
        Section top = Section.of(text);
        Matcher boundary = BOUNDARY.matcher(top.field("Content-Type").orElse(""));
        if (!boundary.find()) {
            return Optional.empty();
        }
        String delimiter = "--" + (boundary.group(1) != null ? boundary.group(1) : boundary.group(2));
        for (String chunk : top.body().split("(?m)^" + Pattern.quote(delimiter), -1)) {
            if (chunk.startsWith("--")) {
                break;
            }
            Section part = Section.of(chunk.startsWith("\n") ? chunk.substring(1) : chunk);
            if (part.field("Content-Type").orElse("text/plain").toLowerCase(Locale.ROOT).strip()
                    .startsWith("message/disposition-notification")) {
                Section fields = Section.of(part.body().strip() + "\n\n");
                Optional<String> id = fields.field("Original-Message-ID").map(String::strip).filter(s -> !s.isEmpty());
                Optional<String> recipient = fields.field("Final-Recipient").flatMap(ReturnedReports::rfc822);
                Optional<String> disposition = fields.field("Disposition");
                Optional<Report.Kind> kind = disposition.flatMap(ReturnedReports::kind);
                if (id.isEmpty() || recipient.isEmpty() || kind.isEmpty()) {
                    return Optional.empty();
                }
                return Optional.of(new Report(id.get(), recipient.get(), kind.get(), at,
                        "mdn " + disposition.get().strip()));
            }
        }
        return Optional.empty();
    }

    /** One {@link Report.Kind#FAILED} report per recipient a DSN says failed; none without a returned Message-ID. */
    static List<Report> dsn(String message, Instant at) {
        DeliveryReport report = DeliveryReport.parse(message);
        Optional<String> id = report.returned("Message-ID").map(String::strip).filter(s -> !s.isEmpty());
        List<Report> out = new ArrayList<>();
        if (id.isEmpty()) {
            return out;
        }
        for (DeliveryReport.RecipientStatus status : report.recipients()) {
            if (status.failed()) {
                out.add(new Report(id.get(), status.finalRecipient().toLowerCase(Locale.ROOT), Report.Kind.FAILED, at,
                        "dsn " + status.status()));
            }
        }
        return out;
    }

    /**
     * The disposition-type after the semicolon ({@code automatic-action/MDN-sent-automatically; processed}),
     * modifiers after a slash: an {@code error} modifier or a failed, deleted or denied disposition is a failure.
     */
    static Optional<Report.Kind> kind(String disposition) {
        int semicolon = disposition.indexOf(';');
        if (semicolon < 0) {
            return Optional.empty();
        }
        String rest = disposition.substring(semicolon + 1).strip().toLowerCase(Locale.ROOT);
        String type = rest.split("[/\\s]", 2)[0];
        if (rest.contains("/error") || type.equals("failed") || type.equals("deleted") || type.equals("denied")) {
            return Optional.of(Report.Kind.FAILED);
        }
        return switch (type) {
            case "processed" -> Optional.of(Report.Kind.PROCESSED);
            case "dispatched" -> Optional.of(Report.Kind.DISPATCHED);
            default -> Optional.empty();
        };
    }

    /** The address of an {@code rfc822;address} value, lower-cased; else empty. */
    private static Optional<String> rfc822(String value) {
        int semicolon = value.indexOf(';');
        if (semicolon < 0 || !value.substring(0, semicolon).strip().equalsIgnoreCase("rfc822")) {
            return Optional.empty();
        }
        String address = value.substring(semicolon + 1).strip();
        if (address.startsWith("<") && address.endsWith(">")) {
            address = address.substring(1, address.length() - 1);
        }
        return address.isEmpty() ? Optional.empty() : Optional.of(address.toLowerCase(Locale.ROOT));
    }

    /** A header block (unfolded) and what follows it. */
    private record Section(List<String[]> fields, String body) {
        static Section of(String text) {
            int end = text.indexOf("\n\n");
            String head = end < 0 ? text : text.substring(0, end);
            String body = end < 0 ? "" : text.substring(end + 2);
            List<String[]> fields = new ArrayList<>();
            for (String line : head.replaceAll("\n[ \t]+", " ").split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.add(new String[] {line.substring(0, colon).strip(), line.substring(colon + 1).strip()});
                }
            }
            return new Section(fields, body);
        }

        Optional<String> field(String name) {
            return fields.stream().filter(f -> f[0].equalsIgnoreCase(name)).map(f -> f[1]).findFirst();
        }
    }
}
