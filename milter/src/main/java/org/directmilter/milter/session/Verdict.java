package org.directmilter.milter.session;

import java.util.Optional;

/** What a handler says at a stage: go on, or end the message (or recipient) one way or another. */
public sealed interface Verdict {
    Verdict CONTINUE = new Continue();
    Verdict ACCEPT = new Accept();
    Verdict DISCARD = new Discard();

    static Verdict reject(SmtpReply reply) {
        return new Reject(Optional.of(reply));
    }

    static Verdict tempfail(SmtpReply reply) {
        return new Tempfail(Optional.of(reply));
    }

    /** A 4xx or 5xx reply, whichever its code says. */
    static Verdict of(SmtpReply reply) {
        return reply.temporary() ? tempfail(reply) : reject(reply);
    }

    /** Go on with the next stage; at end of message, the same as accept. */
    record Continue() implements Verdict {
    }

    /** Accept without further filtering. */
    record Accept() implements Verdict {
    }

    /** Accept, then drop silently. */
    record Discard() implements Verdict {
    }

    /** 5xx; without a reply the MTA uses its own text. */
    record Reject(Optional<SmtpReply> reply) implements Verdict {
    }

    /** 4xx; the MTA keeps or refuses the message and the client retries. */
    record Tempfail(Optional<SmtpReply> reply) implements Verdict {
    }
}
