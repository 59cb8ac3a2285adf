package org.directmilter.milter.cli;

import static org.directmilter.milter.cli.OfflineExit.Commands.BOTH;
import static org.directmilter.milter.cli.OfflineExit.Commands.PROTECT;
import static org.directmilter.milter.cli.OfflineExit.Commands.UNPROTECT;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.smime.UnprotectResult.Category;
import org.directmilter.crypto.smime.UnprotectResult.Failure;
import org.directmilter.milter.daemon.ExitStatus;

/**
 * The exit codes of {@code protect} and {@code unprotect}, in one place: each command's --help lists its
 * own from here, and every kind of {@link Failure} (and every category of the constant
 * {@link UnprotectResult.NotVerified}) has a code, so a script can tell a tampered message from one
 * encrypted to someone else without parsing text. The rest follow sysexits.h.
 */
enum OfflineExit {
    OK(ExitStatus.OK, "success", BOTH),
    NOT_SMIME(1, "not an encrypted S/MIME message (plain, or signed only)",
            UnprotectResult.NotSmime.class, UNPROTECT),
    NO_KEY(2, "encrypted, but to none of the keys of the --to address", UnprotectResult.NoKey.class, UNPROTECT),
    CORRUPT(3, "damaged base64 or CMS structure, or the content does not decrypt", UnprotectResult.Corrupt.class,
            UNPROTECT, Category.DECRYPT),
    UNSIGNED(4, "decrypted, but there is no signature inside", null, UNPROTECT, Category.UNSIGNED),
    BAD_SIGNATURE(5, "a signature does not verify: the content or the signature was altered", null, UNPROTECT,
            Category.BAD_SIGNATURE),
    WEAK_ALGORITHM(6, "an algorithm or key the policy refuses (MD5, SHA-1, RSA < 2048 bits, RC2, DES, 3DES)",
            UnprotectResult.WeakAlgorithm.class, UNPROTECT, Category.WEAK_ALGORITHM),
    MALFORMED_MIME(7, "the MIME or CMS structure is broken (headers, boundary, parts, encodings)",
            UnprotectResult.MalformedMime.class, UNPROTECT, Category.INNER_MIME, Category.INNER_CMS),
    USAGE(ExitStatus.USAGE, "bad command line (EX_USAGE)", BOTH),
    DATA(65, "IN is not an RFC 5322 message, or a --cert file holds no usable certificate (EX_DATAERR)",
            PROTECT),
    NO_INPUT(66, "an input file (IN, --cert) cannot be read (EX_NOINPUT)", BOTH),
    NO_USER(67, "the KeyStore holds no private key for the address (EX_NOUSER)", BOTH),
    CANT_CREATE(73, "OUT cannot be written (EX_CANTCREAT)", BOTH),
    IO_ERROR(74, "reading, writing or temporary storage failed (EX_IOERR)", BOTH),
    CONFIG(ExitStatus.CONFIG, "the configuration has errors, or the KeyStore is unreadable or unsafe (EX_CONFIG)",
            BOTH);

    final int code;
    final String meaning;
    private final Class<? extends Failure> failure;
    private final Set<String> commands;
    private final Set<Category> categories;

    /**
     * A code of unprotect's, for one kind of failure decided before decryption and for categories of
     * {@link UnprotectResult.NotVerified}: the reply to a sender is one constant for every category, but
     * the operator running this command holds the key and may know which step failed.
     */
    OfflineExit(int code, String meaning, Class<? extends Failure> failure, Set<String> commands,
                Category... categories) {
        this.code = code;
        this.meaning = meaning;
        this.failure = failure;
        this.commands = commands;
        this.categories = categories.length == 0 ? Set.of() : EnumSet.copyOf(Arrays.asList(categories));
    }

    OfflineExit(int code, String meaning, Set<String> commands) {
        this(code, meaning, null, commands);
    }

    /** The code for a failed unprotect. */
    static OfflineExit of(Failure failure) {
        for (OfflineExit exit : values()) {
            boolean matches = failure instanceof UnprotectResult.NotVerified notVerified
                    ? exit.categories.contains(notVerified.category())
                    : exit.failure != null && exit.failure.isInstance(failure);
            if (matches) {
                return exit;
            }
        }
        throw new IllegalArgumentException("no exit code for " + failure.getClass().getName());
    }

    /** The "Exit codes:" section of {@code command}'s help, in the layout the other commands use. */
    static Map<String, String> helpList(String command) {
        Map<String, String> list = new LinkedHashMap<>();
        for (OfflineExit exit : values()) {
            if (exit.commands.contains(command)) {
                list.put(String.format("%2d", exit.code), exit.meaning);
            }
        }
        return list;
    }

    /** The codes of unprotect's verdicts, for the kinds of {@link Failure} and the categories of NotVerified. */
    static OfflineExit[] failures() {
        return Arrays.stream(values()).filter(e -> e.failure != null || !e.categories.isEmpty())
                .toArray(OfflineExit[]::new);
    }

    /** Which commands a code belongs to (a holder: enum constants cannot see the enum's own constants). */
    interface Commands {
        Set<String> PROTECT = Set.of("protect");
        Set<String> UNPROTECT = Set.of("unprotect");
        Set<String> BOTH = Set.of("protect", "unprotect");
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
