package org.directmilter.milter.testkit;

import java.time.Duration;
import java.util.List;

/** A throwaway MTA relaying to its own smtp-sink: what the milter tests need of Postfix and Sendmail alike. */
public interface Mta extends AutoCloseable {

    int smtpPort();

    /** Messages that have completely arrived at the sink so far, oldest first; does not wait. */
    List<SinkMessage> sinkMessages();

    /** Waits until at least {@code count} messages arrived at the sink; fails with the logs if not. */
    List<SinkMessage> awaitSinkMessages(int count, Duration timeout);

    /** Everything the MTA logged so far. */
    String maillog();

    /** The reply to MAIL while the configured milter cannot be reached (it tempfails, never accepts). */
    String milterUnavailableReply();

    /** The reply line when the milter rejects {@code address} (at MAIL or RCPT) with "550 5.7.1 {@code text}". */
    String milterRejectReply(String address, String text);

    /** The queue id in the MTA's reply to an accepted message, as its milter sees it in macro {@code i}. */
    String queueId(SmtpClient.Reply accepted);

    @Override
    void close();
}
