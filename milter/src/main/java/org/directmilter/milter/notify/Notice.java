package org.directmilter.milter.notify;

/** What became of the notification about one recipient of a message: one audit line each. */
public sealed interface Notice {

    /** The local recipient the notification is (or would have been) about. */
    String recipient();

    /** The audit outcome: {@code sent}, {@code not-sent} or {@code failed}. */
    String outcome();

    /** Handed to the MTA, which queues it and sends it signed and encrypted to {@code destination}. */
    record Sent(String recipient, String destination, Disposition disposition, String messageId) implements Notice {
        @Override
        public String outcome() {
            return "sent";
        }
    }

    /** Deliberately not sent; {@code reason} names the rule. {@code destination} is null when there is none. */
    record NotSent(String recipient, String destination, String reason) implements Notice {
        @Override
        public String outcome() {
            return "not-sent";
        }
    }

    /** It should have been sent and could not be handed over: the message it reports on must be tempfailed. */
    record Failed(String recipient, String destination, String reason) implements Notice {
        @Override
        public String outcome() {
            return "failed";
        }
    }
}
