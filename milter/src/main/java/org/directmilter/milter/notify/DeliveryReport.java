package org.directmilter.milter.notify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A delivery status notification (RFC 3464) as the local MTA writes it about a message it delivered or
 * failed to deliver: the per-recipient actions, and the header of the message it reports on (returned
 * as {@code text/rfc822-headers} or inside {@code message/rfc822}). Tolerant: what cannot be read is
 * left out, and a report without recipients or without a returned header is of no use to the caller.
 */
public record DeliveryReport(List<RecipientStatus> recipients, List<Field> returnedHeader) {

    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary\\s*=\\s*(?:\"([^\"]+)\"|([^;\\s]+))");

    public DeliveryReport {
        recipients = List.copyOf(recipients);
        returnedHeader = List.copyOf(returnedHeader);
    }

    /** One header field, its value unfolded. */
    public record Field(String name, String value) {
        public boolean is(String other) {
            return name.equalsIgnoreCase(other);
        }
    }

    /** One recipient's block: its address (rfc822 type only), the action and the status code. */
    public record RecipientStatus(String finalRecipient, Optional<String> originalRecipient, String action,
                                  String status) {
        public boolean delivered() {
            return action.equals("delivered");
        }

        public boolean failed() {
            return action.equals("failed");
        }
    }

    /** The first value of {@code name} in the returned header. */
    public Optional<String> returned(String name) {
        return returnedHeader.stream().filter(f -> f.is(name)).map(Field::value).findFirst();
    }

    /** Every value of {@code name} in the returned header. */
    public List<String> returnedAll(String name) {
        return returnedHeader.stream().filter(f -> f.is(name)).map(Field::value).toList();
    }

    /** Reads a report (line ends LF or CRLF); a message that is not a delivery-status report has no recipients. */
    public static DeliveryReport parse(String message) {
        String text = message.replace("\r\n", "\n");
        Part top = Part.of(text);
        String type = top.header("Content-Type").orElse("");
        Matcher boundary = BOUNDARY.matcher(type);
        if (!type.toLowerCase(Locale.ROOT).replaceAll("\\s+", "").startsWith("multipart/report") || !boundary.find()) {
            return new DeliveryReport(List.of(), List.of());
        }
        String delimiter = "--" + (boundary.group(1) != null ? boundary.group(1) : boundary.group(2));
        List<RecipientStatus> recipients = new ArrayList<>();
        List<Field> returned = new ArrayList<>();
        for (String chunk : top.body().split("(?m)^" + Pattern.quote(delimiter), -1)) {
            if (chunk.startsWith("--")) {
                break; // the closing delimiter
            }
            Part part = Part.of(chunk.startsWith("\n") ? chunk.substring(1) : chunk);
            String partType = part.header("Content-Type").orElse("text/plain").toLowerCase(Locale.ROOT);
            if (partType.startsWith("message/delivery-status")) {
                recipients.addAll(statuses(part.body()));
            } else if (partType.startsWith("text/rfc822-headers") || partType.startsWith("message/rfc822")) {
                returned.addAll(Part.of(part.body()).fields());
            }
        }
        return new DeliveryReport(recipients, returned);
    }

    /** The per-recipient groups of a delivery-status body: every group after the first (per-message) one. */
    private static List<RecipientStatus> statuses(String body) {
        List<RecipientStatus> out = new ArrayList<>();
        String[] groups = body.strip().split("\n\\s*\n");
        for (int i = 1; i < groups.length; i++) {
            Part group = Part.of(groups[i] + "\n\n");
            Optional<String> recipient = group.header("Final-Recipient").flatMap(DeliveryReport::rfc822);
            Optional<String> action = group.header("Action").map(a -> a.strip().toLowerCase(Locale.ROOT));
            if (recipient.isPresent() && action.isPresent()) {
                out.add(new RecipientStatus(recipient.get(), group.header("Original-Recipient")
                        .flatMap(DeliveryReport::rfc822), action.get(), group.header("Status").orElse("").strip()));
            }
        }
        return out;
    }

    /** The address of an {@code rfc822;address} value, else empty. */
    private static Optional<String> rfc822(String value) {
        int semicolon = value.indexOf(';');
        if (semicolon < 0 || !value.substring(0, semicolon).strip().equalsIgnoreCase("rfc822")) {
            return Optional.empty();
        }
        String address = value.substring(semicolon + 1).strip();
        return address.isEmpty() ? Optional.empty() : Optional.of(address);
    }

    /** A header block and what follows it. */
    private record Part(List<Field> fields, String body) {
        static Part of(String text) {
            int end = text.indexOf("\n\n");
            String head = end < 0 ? text : text.substring(0, end);
            String body = end < 0 ? "" : text.substring(end + 2);
            List<Field> fields = new ArrayList<>();
            for (String line : head.replaceAll("\n[ \t]+", " ").split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.add(new Field(line.substring(0, colon).strip(), line.substring(colon + 1).strip()));
                }
            }
            return new Part(fields, body);
        }

        Optional<String> header(String name) {
            return fields.stream().filter(f -> f.is(name)).map(Field::value).findFirst();
        }
    }
}
