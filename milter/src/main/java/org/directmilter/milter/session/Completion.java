package org.directmilter.milter.session;

import java.util.Optional;

/**
 * Blocking work that must finish before an end-of-message answer may be sent — committing a tracking
 * record, which waits for the disk; handing a notification to the MTA's submission command, which waits for
 * a process. It runs after the handler's CPU work, on a thread of its own, so the end-of-message workers
 * (as many as there are cores) never wait for it.
 */
@FunctionalInterface
public interface Completion {

    /** Nothing to wait for: the answer goes as it is. */
    Completion NONE = Optional::empty;

    /**
     * Does the blocking work.
     *
     * @return empty to send the answer as it is; else the verdict to send instead (the answer's changes are
     *         then dropped), e.g. a tempfail because a notification was not taken
     */
    Optional<Verdict> complete();
}
