package org.directmilter.milter.session;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.directmilter.milter.server.FatalErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The handler's end-of-message work: on a worker thread, then the answer's blocking {@link Completion} (if
 * any) on a thread of its own, while the connection's thread keeps the MTA waiting with PROGRESS, up to the
 * timeout. Whatever happens to the connection meanwhile — it breaks while
 * PROGRESS is written, the work times out, the thread is interrupted at shutdown — an answer nobody will
 * send is released (its replacement body holds decrypted content in a spool file).
 */
final class EndOfMessageCall {
    private static final Logger log = LoggerFactory.getLogger(MilterSession.class);

    /** Sends one PROGRESS packet; fails when the MTA is gone. */
    interface Progress {
        void send() throws IOException;
    }

    private final MessageHandler handler;
    private final ExecutorService workers;
    private final ExecutorService blocking;
    private final SessionSettings settings;
    private final FatalErrors.Handler fatal;

    /**
     * @param workers  the CPU-sized pool that runs the handler's end-of-message work
     * @param blocking threads for the answers' {@link Completion}s, which wait (for a process, say) and so
     *                 must not hold a worker
     */
    EndOfMessageCall(MessageHandler handler, ExecutorService workers, ExecutorService blocking,
                     SessionSettings settings, FatalErrors.Handler fatal) {
        this.handler = handler;
        this.workers = workers;
        this.blocking = blocking;
        this.settings = settings;
        this.fatal = fatal;
    }

    /**
     * @return the handler's answer (after its completion ran), or a tempfail when it failed, timed out or
     *         could not start; the caller sends it and then {@link #release}s it
     * @throws IOException when PROGRESS could not be written (the answer, if one comes, is released)
     */
    EndOfMessage call(Message message, Progress progress) throws IOException {
        Map<String, String> context = MDC.getCopyOfContextMap();
        // Whoever sets this first owns the answer: this thread by abandoning it, the work by finishing.
        AtomicBoolean claimed = new AtomicBoolean();
        CompletableFuture<EndOfMessage> answer = new CompletableFuture<>();
        // What runs for this message now, the handler's work or then its completion: abandoning stops it.
        AtomicReference<Future<?>> running = new AtomicReference<>();
        try {
            Future<?> work = workers.submit(() -> work(message, context, claimed, answer, running));
            running.compareAndSet(null, work); // unless the completion already took its place
        } catch (RejectedExecutionException e) {
            log.warn("end-of-message work refused (shutting down); answering {}", MilterSession.INTERNAL_ERROR);
            return EndOfMessage.of(Verdict.tempfail(MilterSession.INTERNAL_ERROR));
        }
        boolean answered = false;
        try {
            EndOfMessage result = await(answer, progress);
            answered = true;
            return result;
        } finally {
            if (!answered) {
                abandon(answer, running, claimed);
            }
        }
    }

    /** On a worker: the handler's CPU work; a blocking completion goes on to its own thread, freeing this one. */
    private void work(Message message, Map<String, String> context, AtomicBoolean claimed,
                      CompletableFuture<EndOfMessage> answer, AtomicReference<Future<?>> running) {
        if (context != null) {
            MDC.setContextMap(context);
        }
        try {
            EndOfMessage result = handler.endOfMessage(message);
            if (result == null || result.completion() == Completion.NONE) {
                finish(result, claimed, answer);
                return;
            }
            try {
                running.set(blocking.submit(() -> complete(result, context, claimed, answer)));
            } catch (RejectedExecutionException e) {
                release(result);
                log.warn("end-of-message completion refused (shutting down); answering {}", MilterSession.INTERNAL_ERROR);
                finish(EndOfMessage.of(Verdict.tempfail(MilterSession.INTERNAL_ERROR)), claimed, answer);
            }
        } catch (Error e) {
            failed(e, claimed, answer);
            throw e;
        } catch (Exception e) {
            answer.completeExceptionally(e);
        } finally {
            MDC.clear();
        }
    }

    /** On a blocking thread: the answer's completion, which lets it go or replaces its verdict. */
    private void complete(EndOfMessage result, Map<String, String> context, AtomicBoolean claimed,
                          CompletableFuture<EndOfMessage> answer) {
        if (context != null) {
            MDC.setContextMap(context);
        }
        try {
            Optional<Verdict> instead = result.completion().complete();
            if (instead.isPresent()) {
                release(result);
                finish(EndOfMessage.of(instead.get()), claimed, answer);
            } else {
                finish(result, claimed, answer);
            }
        } catch (Error e) {
            release(result);
            failed(e, claimed, answer);
            throw e;
        } catch (RuntimeException e) {
            release(result);
            answer.completeExceptionally(e);
        } finally {
            MDC.clear();
        }
    }

    /** Hands the answer to the waiting connection, or releases it when the connection abandoned it. */
    private static void finish(EndOfMessage result, AtomicBoolean claimed, CompletableFuture<EndOfMessage> answer) {
        if (!claimed.compareAndSet(false, true)) {
            if (result != null) {
                release(result); // abandoned, nobody will send it: free its temporary files now
            }
            return;
        }
        answer.complete(result);
    }

    /** A connection still waiting rethrows the error to the server; an abandoned one never will. */
    private void failed(Error e, AtomicBoolean claimed, CompletableFuture<EndOfMessage> answer) {
        if (FatalErrors.isFatal(e) && !claimed.compareAndSet(false, true)) {
            fatal.fatal("an end-of-message worker", e);
        }
        answer.completeExceptionally(e);
    }

    private EndOfMessage await(Future<EndOfMessage> future, Progress progress) throws IOException {
        long deadline = System.nanoTime() + settings.endOfMessageTimeout().toNanos();
        while (true) {
            long wait = Math.min(settings.progressInterval().toNanos(), deadline - System.nanoTime());
            if (wait <= 0) {
                log.error("end-of-message work took longer than {}; answering {}", settings.endOfMessageTimeout(),
                        MilterSession.TIMED_OUT);
                throw new TimedOut();
            }
            try {
                EndOfMessage result = future.get(wait, TimeUnit.NANOSECONDS);
                if (result == null) {
                    log.error("handler returned no answer at end of message; answering {}", MilterSession.INTERNAL_ERROR);
                    return EndOfMessage.of(Verdict.tempfail(MilterSession.INTERNAL_ERROR));
                }
                return result;
            } catch (TimeoutException e) {
                progress.send();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error error && FatalErrors.isFatal(error)) {
                    throw error;
                }
                log.error("handler failed at end of message; answering {}", MilterSession.INTERNAL_ERROR, e.getCause());
                return EndOfMessage.of(Verdict.tempfail(MilterSession.INTERNAL_ERROR));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for end-of-message work", e);
            }
        }
    }

    /** Thrown inside {@link #call} only, to leave through the abandoning path. */
    private static final class TimedOut extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TimedOut() {
            super(null, null, false, false);
        }
    }

    /** {@link #call} with the timeout turned into its tempfail. */
    EndOfMessage callOrTimeOut(Message message, Progress progress) throws IOException {
        try {
            return call(message, progress);
        } catch (TimedOut e) {
            return EndOfMessage.of(Verdict.tempfail(MilterSession.TIMED_OUT));
        }
    }

    /**
     * Nobody will send the answer: stop the work, and release the answer — the work does when it finishes
     * later, this thread does when the work finished first (its result is then in the future or about to be).
     */
    private static void abandon(Future<EndOfMessage> answer, AtomicReference<Future<?>> running, AtomicBoolean claimed) {
        if (claimed.compareAndSet(false, true)) {
            Future<?> work = running.get();
            if (work != null) {
                work.cancel(true);
            }
            return;
        }
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    EndOfMessage result = answer.get();
                    if (result != null) {
                        release(result);
                    }
                    return;
                } catch (ExecutionException e) {
                    return; // it failed, so it holds nothing to release
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes a replacement body that holds resources; closing twice is harmless. */
    static void release(EndOfMessage result) {
        for (Modification m : result.modifications()) {
            if (m instanceof Modification.ReplaceBody r && r.body() instanceof Closeable closeable) {
                try {
                    closeable.close();
                } catch (IOException e) {
                    log.warn("could not release the replacement body: {}", e.getMessage());
                }
            }
        }
    }
}
