package org.directmilter.milter.notify;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a notification needs to know of the message it reports on, taken from its inner (signed, so
 * authoritative) header: addresses already parsed to addr-specs, the other values as the header has
 * them, unfolded. {@code messageId} and {@code options} are empty when the header has none.
 */
public record OriginalMessage(Optional<String> messageId, List<String> from, List<String> dispositionNotificationTo,
                              String contentType, String options) {

    /** The extension a sender asks for timely and reliable delivery with (Delivery Notification IG). */
    public static final String FINAL_DESTINATION_DELIVERY = "X-DIRECT-FINAL-DESTINATION-DELIVERY";

    // compiled once: both are asked of every message verified or protected
    private static final Pattern WHITE_SPACE = Pattern.compile("\\s+");
    private static final Pattern ASKS_FINAL_DELIVERY = Pattern.compile(
            "(.*;)?" + FINAL_DESTINATION_DELIVERY + "=(OPTIONAL|REQUIRED),TRUE(;.*)?");

    public OriginalMessage {
        from = List.copyOf(from);
        dispositionNotificationTo = List.copyOf(dispositionNotificationTo);
    }

    /** Where notifications go: Disposition-Notification-To, else From (RFC 3798 §2.1, Direct AS §3). */
    public Optional<String> destination() {
        return dispositionNotificationTo.isEmpty() ? from.stream().findFirst()
                : Optional.of(dispositionNotificationTo.get(0));
    }

    /**
     * Whether the message is itself a report: an MDN or a DSN, which no one answers with an MDN (RFC 3798
     * §3.1, Direct AS §3).
     */
    public boolean isReport() {
        String type = WHITE_SPACE.matcher(contentType.toLowerCase(Locale.ROOT)).replaceAll("");
        return type.startsWith("multipart/report")
                && (type.contains("report-type=disposition-notification") || type.contains("report-type=\"disposition-notification\"")
                        || type.contains("report-type=delivery-status") || type.contains("report-type=\"delivery-status\""))
                || type.startsWith("message/disposition-notification") || type.startsWith("message/delivery-status");
    }

    /** Whether the sender asked for timely and reliable delivery: {@code dispatched} and {@code failed} too. */
    public boolean wantsFinalDelivery() {
        return !options.isEmpty() && ASKS_FINAL_DELIVERY.matcher(
                WHITE_SPACE.matcher(options.toUpperCase(Locale.ROOT)).replaceAll("")).matches();
    }
}
