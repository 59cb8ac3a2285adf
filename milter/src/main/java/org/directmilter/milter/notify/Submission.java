package org.directmilter.milter.notify;

/** The hand-off of a finished notification to whatever queues and sends it. */
public interface Submission {

    /**
     * Hands {@code message} over; returns once it is held durably. Never waits for the message's own
     * passage through the MTA (and so through direct-milter again).
     *
     * @throws SubmissionException when it was not taken; the caller must not assume it will be sent
     */
    void submit(byte[] message) throws SubmissionException;

    /** Why a notification was not handed over; the message is a reason for the log, no message content. */
    final class SubmissionException extends Exception {
        private static final long serialVersionUID = 1L;

        public SubmissionException(String reason) {
            super(reason);
        }
    }
}
