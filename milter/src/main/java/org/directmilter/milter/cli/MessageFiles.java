package org.directmilter.milter.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.directmilter.milter.cli.OfflineExit.Stop;
import picocli.CommandLine.Parameters;

/**
 * The IN and OUT operands of {@code protect} and {@code unprotect}: files, or standard input and output
 * when absent or {@code -}. Messages stay bytes end to end: signatures cover exact bytes.
 */
final class MessageFiles {

    @Parameters(index = "0", arity = "0..1", paramLabel = "IN",
            description = "The message to read (default, or -: standard input).")
    Path in;

    @Parameters(index = "1", arity = "0..1", paramLabel = "OUT",
            description = "Where the result goes (default, or -: standard output). A file is created mode 0600 "
                    + "and appears only when the command succeeds; a device or FIFO is written in place.")
    Path out;

    // The process's own streams; tests put theirs here.
    InputStream stdin = System.in;
    OutputStream stdout = System.out;

    /** What a command writes to OUT; it may end the command with a {@link Stop}. */
    interface Writer<T> {
        T writeTo(OutputStream out) throws IOException, Stop;
    }

    InputStream openIn() throws Stop {
        if (standard(in)) {
            return stdin;
        }
        try {
            // a pipe (<(…), a FIFO) cannot seek, which Files' channel streams try: read it as a plain stream
            return Files.isRegularFile(in) || !Files.exists(in) ? Files.newInputStream(in)
                    : new BufferedInputStream(new FileInputStream(in.toFile()));
        } catch (FileNotFoundException e) {
            throw new Stop(OfflineExit.NO_INPUT, in + ": cannot be read: " + e.getMessage());
        } catch (NoSuchFileException e) {
            throw new Stop(OfflineExit.NO_INPUT, in + ": no such file");
        } catch (IOException e) {
            throw new Stop(OfflineExit.NO_INPUT, in + ": cannot be read: " + e.getMessage());
        }
    }

    /** How many bytes IN holds, when it is a regular file; -1 for standard input, pipes and devices. */
    long inLength() throws Stop {
        if (standard(in) || !Files.isRegularFile(in)) {
            return -1;
        }
        try {
            return Files.size(in);
        } catch (IOException e) {
            throw new Stop(OfflineExit.NO_INPUT, in + ": cannot be read: " + e.getMessage());
        }
    }

    /**
     * Runs {@code writer} against OUT. A file is written as a private temporary file beside OUT and moved
     * into place at the end, so a failure never leaves half a message (or plaintext) behind. OUT that
     * exists and is not a regular file — a device, a FIFO, /dev/stdout — is written in place: the rename
     * would replace the node itself (run as root, {@code /dev/null} would become a regular file).
     */
    <T> T write(Writer<T> writer) throws IOException, Stop {
        if (standard(out)) {
            T result = writer.writeTo(stdout);
            stdout.flush();
            return result;
        }
        if (Files.exists(out) && !Files.isRegularFile(out)) {
            if (Files.isDirectory(out)) {
                throw new Stop(OfflineExit.CANT_CREATE, out + ": is a directory");
            }
            try (OutputStream node = new BufferedOutputStream(openInPlace())) {
                return writer.writeTo(node);
            }
        }
        Path target = out.toAbsolutePath();
        Path temporary;
        try {
            // createTempFile makes the file 0600: the result may be a decrypted message
            temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        } catch (IOException e) {
            throw new Stop(OfflineExit.CANT_CREATE, out + ": cannot be created: " + e.getMessage());
        }
        try {
            T result;
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(temporary))) {
                result = writer.writeTo(file);
            }
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return result;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private OutputStream openInPlace() throws Stop {
        try {
            return new FileOutputStream(out.toFile());
        } catch (FileNotFoundException e) {
            throw new Stop(OfflineExit.CANT_CREATE, out + ": cannot be written: " + e.getMessage());
        }
    }

    private static boolean standard(Path operand) {
        return operand == null || operand.toString().equals("-");
    }
}
