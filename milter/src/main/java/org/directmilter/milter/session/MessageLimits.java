package org.directmilter.milter.session;

/**
 * What one message may make the daemon hold, and what all connections together may hold in memory.
 * Defaults follow Postfix ({@code smtpd_recipient_limit} 1000) and keep the worst case of a full
 * {@code MaxConnections} well inside a 256 MB heap.
 *
 * @param maxRecipients      recipients accepted per message; more are answered 452 4.5.3 one by one
 * @param maxHeaderFields    header fields per message; more refuse the message with 552 5.3.4
 * @param maxHeaderBytes     bytes of all header fields of a message together; more refuse it with 552 5.3.4
 * @param messageMemoryBytes heap that frames being read and bodies below the spool threshold may take across
 *                           all connections; beyond it bodies go to their spool file early and a frame that
 *                           does not fit closes its connection (the MTA applies its default action)
 */
public record MessageLimits(int maxRecipients, int maxHeaderFields, long maxHeaderBytes, long messageMemoryBytes) {

    public MessageLimits {
        if (maxRecipients < 1 || maxHeaderFields < 1 || maxHeaderBytes < 1) {
            throw new IllegalArgumentException("message limits must be at least 1");
        }
        if (messageMemoryBytes < 1 << 20) {
            throw new IllegalArgumentException("MessageMemory must be at least 1M");
        }
    }

    public static MessageLimits defaults() {
        return new MessageLimits(1000, 1000, 256 * 1024, 64L << 20);
    }
}
