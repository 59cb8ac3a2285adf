package org.directmilter.milter.notify;

/**
 * The hand-off of a finished notification to whatever queues and sends it: the MTA's sendmail command
 * ({@link CommandSubmission}) or its SMTP listener ({@link SmtpSubmission}). One per configuration: a
 * reload closes the previous one once the new one is in place.
 */
public interface Submission extends AutoCloseable {

    /**
     * Hands {@code message} (LF line ends) over with the null envelope sender, to {@code recipient}, the
     * address of its {@code To:} field; returns once it is held durably (the MTA has queued it). Never
     * waits for the message's delivery, only for what the MTA does before it answers.
     *
     * @throws SubmissionException when it was not taken; the caller must not assume it will be sent
     */
    void submit(String recipient, byte[] message) throws SubmissionException;

    /** Releases what is kept between submissions (connections); a later submit still works, keeping nothing. */
    @Override
    default void close() {
    }

    /** Why a notification was not handed over; the message is a reason for the log, no message content. */
    final class SubmissionException extends Exception {
        private static final long serialVersionUID = 1L;

        public SubmissionException(String reason) {
            super(reason);
        }
    }
}
