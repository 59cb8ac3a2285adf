package org.directmilter.milter.session;


/**
 * The seam between the milter protocol and policy. One instance serves every connection, so it
 * must be thread-safe; per-message state belongs in the {@link Transaction}. A stage method that
 * throws turns into a 451 4.3.0 reply (the MTA keeps the message) and a log line.
 */
public interface MessageHandler {

    /**
     * The macros this handler reads, per stage; the session asks the MTA for them in option negotiation
     * (Sendmail and Postfix then send them without milter_*_macros settings). Default: none.
     */
    default MacroRequests macros() {
        return MacroRequests.none();
    }

    /**
     * At CONNECT. Connection-stage macros are available. While a handler keeps this default, which can only
     * continue, the MTA is told not to wait for a reply to CONNECT ({@link MilterSessionFactory#negotiationFor}).
     */
    default Verdict connect(Client client, Macros macros) {
        return Verdict.CONTINUE;
    }

    /** At MAIL FROM; the transaction is new and has no recipients yet. */
    default Verdict mail(Transaction transaction) {
        return Verdict.CONTINUE;
    }

    /**
     * At each RCPT TO. A reject or tempfail refuses this recipient only; the recipient is added to
     * the transaction when the verdict is continue or accept.
     */
    default Verdict recipient(Transaction transaction, EnvelopeAddress recipient) {
        return Verdict.CONTINUE;
    }

    /**
     * At end of data, on a worker thread while the session keeps the MTA waiting with PROGRESS.
     * The message body is readable only during this call.
     */
    EndOfMessage endOfMessage(Message message) throws Exception;
}
