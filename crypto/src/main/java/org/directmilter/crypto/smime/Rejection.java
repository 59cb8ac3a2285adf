package org.directmilter.crypto.smime;

import org.directmilter.crypto.spool.Spool;
import java.io.IOException;
import org.directmilter.crypto.smime.UnprotectResult.Category;
import org.directmilter.crypto.smime.UnprotectResult.Failure;
import org.directmilter.crypto.smime.UnprotectResult.NotVerified;

/**
 * The one way the steps of {@link Unprotector} end early: the message is refused with {@link #failure}.
 * Never leaves {@link Unprotector#unprotect}; carries no message and no stack trace.
 */
final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Failure failure;

    Rejection(Failure failure) {
        super(null, null, false, false);
        this.failure = failure;
    }

    static Rejection notVerified(Category category) {
        return new Rejection(new NotVerified(category));
    }

    Failure failure() {
        return failure;
    }

    /**
     * {@code failure} for {@code cause}, unless {@code cause} is not the message's fault: a failure of the
     * caller's stream, of our temporary storage or of a key's token, however deeply a parser wrapped it, is rethrown as the
     * {@link IOException} it was.
     */
    static Rejection of(Throwable cause, Failure failure) throws IOException {
        rethrowOwn(cause);
        return new Rejection(failure);
    }

    /**
     * Rethrows a failure of the caller's stream, of a spool or of a key's token found anywhere in
     * {@code e}'s causes.
     */
    static void rethrowOwn(Throwable e) throws IOException {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CallerInputStream.Failed failed) {
                throw failed.original();
            }
            if (t instanceof ImplicitRejection.TokenFailed token) {
                throw token.unavailable();
            }
            if (t instanceof Spool.SpoolException spool) {
                throw spool.getCause();
            }
        }
    }
}
