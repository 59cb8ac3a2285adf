package org.directmilter.milter.session;

/** Accepts every message unchanged: a handler for session tests that are about the protocol, not policy. */
final class PassThroughHandler implements MessageHandler {

    @Override
    public EndOfMessage endOfMessage(Message message) {
        return EndOfMessage.of(Verdict.ACCEPT);
    }
}
