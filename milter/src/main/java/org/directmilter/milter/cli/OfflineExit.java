package org.directmilter.milter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.smime.UnprotectResult.Failure;
import org.directmilter.milter.daemon.ExitStatus;

/**
 * The exit codes of {@code protect} and {@code unprotect}, in one place: each command's --help lists its
 * own from here, and every kind of {@link Failure} has a code of its own, so a script can tell a tampered
 * message from one encrypted to someone else without parsing text. The rest follow sysexits.h.
 */
enum OfflineExit {
    OK(ExitStatus.OK, "success", null),
    NOT_SMIME(1, "not an encrypted S/MIME message (plain, or signed only)", UnprotectResult.NotSmime.class),
    NO_KEY(2, "encrypted, but to none of the keys of the --to address", UnprotectResult.NoKey.class),
    CORRUPT(3, "damaged base64 or CMS structure, or decryption failed", UnprotectResult.Corrupt.class),
    UNSIGNED(4, "decrypted, but there is no signature inside", UnprotectResult.Unsigned.class),
    BAD_SIGNATURE(5, "a signature does not verify: the content or the signature was altered",
            UnprotectResult.BadSignature.class),
    WEAK_ALGORITHM(6, "an algorithm or key the policy refuses (MD5, SHA-1, RSA < 2048 bits, RC2, DES, 3DES)",
            UnprotectResult.WeakAlgorithm.class),
    MALFORMED_MIME(7, "the MIME structure is broken (boundary, parts, encodings)", UnprotectResult.MalformedMime.class),
    USAGE(ExitStatus.USAGE, "bad command line (EX_USAGE)", null),
    DATA(65, "IN is not an RFC 5322 message, or a --cert file holds no usable certificate (EX_DATAERR)", null),
    NO_INPUT(66, "an input file (IN, --cert) cannot be read (EX_NOINPUT)", null),
    NO_USER(67, "the KeyStore holds no private key for the address (EX_NOUSER)", null),
    CANT_CREATE(73, "OUT cannot be written (EX_CANTCREAT)", null),
    IO_ERROR(74, "reading, writing or temporary storage failed (EX_IOERR)", null),
    CONFIG(ExitStatus.CONFIG, "the configuration has errors, or the KeyStore is unreadable or unsafe (EX_CONFIG)",
            null);

    final int code;
    final String meaning;
    private final Class<? extends Failure> failure;

    OfflineExit(int code, String meaning, Class<? extends Failure> failure) {
        this.code = code;
        this.meaning = meaning;
        this.failure = failure;
    }

    /** The code for a failed unprotect. */
    static OfflineExit of(Failure failure) {
        for (OfflineExit exit : values()) {
            if (exit.failure != null && exit.failure.isInstance(failure)) {
                return exit;
            }
        }
        throw new IllegalArgumentException("no exit code for " + failure.getClass().getName());
    }

    /** The "Exit codes:" section of a command's help, in the layout the other commands use. */
    static Map<String, String> helpList(OfflineExit... exits) {
        Map<String, String> list = new LinkedHashMap<>();
        for (OfflineExit exit : exits) {
            list.put(String.format("%2d", exit.code), exit.meaning);
        }
        return list;
    }

    /** The codes of unprotect's verdicts, one per kind of {@link Failure}. */
    static OfflineExit[] failures() {
        return Arrays.stream(values()).filter(e -> e.failure != null).toArray(OfflineExit[]::new);
    }

    /** The work of a command: its outcome, or a {@link Stop}. */
    interface Work {
        OfflineExit run() throws Stop, IOException;
    }

    /**
     * Runs {@code work} and returns its exit code; a stop or an I/O failure is one line on standard error
     * naming the reason, never a stack trace.
     */
    static int run(String command, PrintWriter err, Work work) {
        OfflineExit exit;
        try {
            exit = work.run();
        } catch (Stop stop) {
            err.println("direct-milter " + command + ": " + stop.getMessage());
            exit = stop.exit;
        } catch (IOException | UncheckedIOException e) {
            err.println("direct-milter " + command + ": " + e.getMessage());
            exit = IO_ERROR;
        }
        err.flush();
        return exit.code;
    }

    /** Ends a command early: the message is printed on standard error, the code is returned. */
    static final class Stop extends Exception {
        private static final long serialVersionUID = 1L;
        final transient OfflineExit exit;

        Stop(OfflineExit exit, String message) {
            super(message, null, false, false);
            this.exit = exit;
        }
    }
}
