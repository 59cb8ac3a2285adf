package org.directmilter.milter.notify;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Submits a notification by running a sendmail-compatible command with the message on its standard
 * input, as OpenDMARC's ReportCommand does: by default Postfix's {@code sendmail -i -t -f <>}, which
 * returns once postdrop has written the message into the maildrop queue. The MTA's pickup service then
 * passes it through its {@code non_smtpd_milters} (direct-milter, which protects it) on its own time, so
 * an end-of-message worker waiting here never waits for another worker.
 */
public final class CommandSubmission implements Submission {

    /** Output kept for the reason of a failure; the command's output is the MTA's, not the message's. */
    private static final int MAX_OUTPUT = 2048;

    private final List<String> command;
    private final Duration timeout;

    public CommandSubmission(List<String> command, Duration timeout) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty submission command");
        }
        this.command = List.copyOf(command);
        this.timeout = timeout;
    }

    /** The command reads {@code recipient} from the message's {@code To:} ({@code -t}). */
    @Override
    public void submit(String recipient, byte[] message) throws SubmissionException {
        Path output = null;
        Process process = null;
        try {
            // Output goes to a file, not a pipe: a command that hangs with its output open is still ended by the timeout.
            output = Files.createTempFile("direct-milter-submit-", ".out");
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                throw new SubmissionException(e.getMessage()); // names the program and why
            }
            try (OutputStream in = process.getOutputStream()) {
                in.write(message);
            } catch (IOException e) {
                // The command ended before reading it all: its exit status and output say why.
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SubmissionException(command.get(0) + " did not finish within " + timeout.toSeconds() + "s");
            }
            if (process.exitValue() != 0) {
                String said = firstLines(output);
                throw new SubmissionException(command.get(0) + " exited " + process.exitValue()
                        + (said.isBlank() ? "" : ": " + said));
            }
        } catch (IOException e) {
            throw new SubmissionException("cannot run " + command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SubmissionException(command.get(0) + " interrupted");
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException e) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    /** The start of what the command wrote, on one line; the MTA's words, not the message's. */
    private static String firstLines(Path output) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(output)) {
            bytes = in.readNBytes(MAX_OUTPUT);
        }
        return new String(bytes, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
    }
}
