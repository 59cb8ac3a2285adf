package org.directmilter.milter.session;

import java.util.List;

/**
 * A handler's answer at end of data: the changes to make, then the verdict, and what must be done before
 * it is sent ({@link Completion#NONE} for nothing), which may replace the verdict.
 */
public record EndOfMessage(Verdict verdict, List<Modification> modifications, Completion completion) {

    public EndOfMessage(Verdict verdict, List<Modification> modifications) {
        this(verdict, modifications, Completion.NONE);
    }

    public EndOfMessage {
        modifications = List.copyOf(modifications);
        java.util.Objects.requireNonNull(completion, "completion");
        if (!modifications.isEmpty() && !(verdict instanceof Verdict.Continue || verdict instanceof Verdict.Accept)) {
            throw new IllegalArgumentException("changes only make sense for a message that is accepted, not " + verdict);
        }
        int bodies = 0;
        for (Modification m : modifications) {
            if (m instanceof Modification.ReplaceBody && ++bodies > 1) {
                throw new IllegalArgumentException("at most one body replacement per message");
            }
        }
    }

    /** This answer, sent only after {@code then} has run and let it go. */
    public EndOfMessage completedBy(Completion then) {
        return new EndOfMessage(verdict, modifications, then);
    }

    public static EndOfMessage accept(Modification... modifications) {
        return new EndOfMessage(Verdict.ACCEPT, List.of(modifications));
    }

    public static EndOfMessage of(Verdict verdict) {
        return new EndOfMessage(verdict, List.of());
    }
}
