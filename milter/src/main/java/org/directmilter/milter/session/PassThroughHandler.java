package org.directmilter.milter.session;

/** Accepts every message unchanged: the foundation's handler, and a baseline for benchmarks. */
public final class PassThroughHandler implements MessageHandler {

    @Override
    public EndOfMessage endOfMessage(Message message) {
        return EndOfMessage.of(Verdict.ACCEPT);
    }
}
