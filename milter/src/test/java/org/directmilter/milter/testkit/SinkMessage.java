package org.directmilter.milter.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One message as smtp-sink dumped it. smtp-sink strips every CR (lines end in LF), removes the
 * dot-stuffing, and prepends its own lines: X-Client-Addr, X-Client-Proto, X-Helo-Args,
 * X-Mail-Args, one X-Rcpt-Args per recipient, and a three-line Received header.
 */
public record SinkMessage(Path file, byte[] bytes) {

    private static final List<String> SINK_PREFIXES = List.of(
            "X-Client-Addr: ", "X-Client-Proto: ", "X-Helo-Args: ", "X-Mail-Args: ", "X-Rcpt-Args: ");

    public SinkMessage {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The whole dump file as UTF-8 text (LF line endings). */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The message as the MTA relayed it: the dump without smtp-sink's own leading lines. */
    public String relayed() {
        String text = text();
        int pos = 0;
        while (startsWithAny(text, pos, SINK_PREFIXES)) {
            pos = nextLine(text, pos);
        }
        if (text.startsWith("Received: ", pos) && text.indexOf("(smtp-sink)", pos) > 0) {
            pos = afterField(text, pos);
        }
        return text.substring(pos);
    }

    /**
     * The message as the SMTP client sent it, when nothing changed it on the way: {@link #relayed()}
     * without the MTA's own Received field on top (give the MTA a message with Date and Message-ID,
     * or it adds those too).
     */
    public String original() {
        String relayed = relayed();
        if (!relayed.startsWith("Received: ")) {
            throw new IllegalStateException("no Received field on top of the relayed message:\n" + relayed);
        }
        return relayed.substring(afterField(relayed, 0));
    }

    /** MAIL FROM as the sink saw it, e.g. {@code <alice@sender.test>} (parameters stripped). */
    public String envelopeSender() {
        return sinkLines("X-Mail-Args: ").stream().findFirst().map(SinkMessage::firstWord).orElse("");
    }

    /** Every RCPT TO the sink accepted, e.g. {@code [<bob@recipient.test>]} (parameters stripped). */
    public List<String> envelopeRecipients() {
        return sinkLines("X-Rcpt-Args: ").stream().map(SinkMessage::firstWord).toList();
    }

    @Override
    public String toString() {
        return "SinkMessage[" + file.getFileName() + "]\n" + text();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SinkMessage m && m.file.equals(file) && Arrays.equals(m.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return file.hashCode() * 31 + Arrays.hashCode(bytes);
    }

    private List<String> sinkLines(String prefix) {
        List<String> values = new ArrayList<>();
        String text = text();
        int pos = 0;
        while (startsWithAny(text, pos, SINK_PREFIXES)) {
            int end = nextLine(text, pos);
            String line = text.substring(pos, end).stripTrailing();
            if (line.startsWith(prefix)) {
                values.add(line.substring(prefix.length()));
            }
            pos = end;
        }
        return values;
    }

    private static String firstWord(String args) {
        int space = args.indexOf(' ');
        return space < 0 ? args : args.substring(0, space);
    }

    private static boolean startsWithAny(String text, int pos, List<String> prefixes) {
        return prefixes.stream().anyMatch(p -> text.startsWith(p, pos));
    }

    /** Where the next header field starts: after the line at {@code pos} and its continuation lines. */
    private static int afterField(String text, int pos) {
        int next = nextLine(text, pos);
        while (next < text.length() && (text.charAt(next) == '\t' || text.charAt(next) == ' ')) {
            next = nextLine(text, next);
        }
        return next;
    }

    private static int nextLine(String text, int pos) {
        int lf = text.indexOf('\n', pos);
        return lf < 0 ? text.length() : lf + 1;
    }
}
