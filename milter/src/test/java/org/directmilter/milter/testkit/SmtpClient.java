package org.directmilter.milter.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny blocking SMTP client for tests: one command, one complete reply. It never interprets a
 * reply, so tests can assert exact codes and texts ({@code "550 5.7.1 untrusted sender"}, a 451
 * from a tempfailing milter). Every read has a timeout; {@link #transcript()} keeps the session.
 */
public final class SmtpClient implements AutoCloseable {

    /** One server reply: its code and every line exactly as sent, e.g. {@code "250-PIPELINING"}. */
    public record Reply(int code, List<String> lines) {

        public Reply {
            lines = List.copyOf(lines);
        }

        /** The text after the code and separator of every line, joined with '\n'. */
        public String text() {
            return String.join("\n", lines.stream().map(l -> l.length() > 4 ? l.substring(4) : "").toList());
        }

        /** The last line in full, e.g. {@code "451 4.7.1 Service unavailable - try again later"}. */
        public String last() {
            return lines.get(lines.size() - 1);
        }

        public boolean positive() {
            return code >= 200 && code < 400;
        }

        @Override
        public String toString() {
            return String.join("\n", lines);
        }
    }

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final List<String> transcript = new ArrayList<>();
    private final Reply greeting;

    private SmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new java.io.BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.greeting = readReply();
    }

    /** Connects to 127.0.0.1:port and reads the greeting, with a 30 s read timeout. */
    public static SmtpClient connect(int port) {
        return connect(port, DEFAULT_TIMEOUT);
    }

    public static SmtpClient connect(int port, Duration readTimeout) {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
            return new SmtpClient(socket);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("SMTP connect to 127.0.0.1:" + port + " failed", e);
        }
    }

    public Reply greeting() {
        return greeting;
    }

    public Reply ehlo(String name) {
        return command("EHLO " + name);
    }

    /** {@code MAIL FROM:<address>}; pass {@code ""} for the null sender. */
    public Reply mailFrom(String address) {
        return command("MAIL FROM:<" + address + ">");
    }

    public Reply rcptTo(String address) {
        return command("RCPT TO:<" + address + ">");
    }

    /**
     * Sends DATA and, after a 354, the message (bare LF becomes CRLF, leading dots are stuffed) and
     * the final dot. Returns the reply to the message, or the DATA reply when that was not 354.
     */
    public Reply data(String message) {
        return data(message.getBytes(StandardCharsets.UTF_8));
    }

    public Reply data(byte[] message) {
        Reply reply = command("DATA");
        if (reply.code() != 354) {
            return reply;
        }
        try {
            out.write(dotStuffed(message));
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            transcript.add("C: <" + message.length + " bytes of message>");
            transcript.add("C: .");
            return readReply();
        } catch (IOException e) {
            throw failure("sending the message", e);
        }
    }

    public Reply quit() {
        return command("QUIT");
    }

    /** Sends one command line (without CRLF) and returns the complete reply. */
    public Reply command(String line) {
        try {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            transcript.add("C: " + line);
            return readReply();
        } catch (IOException e) {
            throw failure(line, e);
        }
    }

    /**
     * EHLO, MAIL, every RCPT, then DATA + message when at least one RCPT was accepted, like a
     * real client. Stops at the first other negative reply and returns every reply so far, in
     * order, so the last one is the outcome. Ends with QUIT unless the server closed (421).
     */
    public static List<Reply> send(int port, String from, List<String> to, String message) {
        List<Reply> replies = new ArrayList<>();
        try (SmtpClient smtp = connect(port)) {
            transaction(smtp, replies, from, to, message);
            if (replies.get(replies.size() - 1).code() != 421) {
                smtp.quit();
            }
            return replies;
        }
    }

    private static void transaction(SmtpClient smtp, List<Reply> replies, String from, List<String> to,
            String message) {
        if (!add(replies, smtp.greeting()) || !add(replies, smtp.ehlo("client.milter-test.invalid"))
                || !add(replies, smtp.mailFrom(from))) {
            return;
        }
        boolean anyAccepted = false;
        for (String rcpt : to) {
            anyAccepted |= add(replies, smtp.rcptTo(rcpt));
        }
        if (anyAccepted) {
            add(replies, smtp.data(message));
        }
    }

    /** Every line sent ("C: ...") and received ("S: ...") so far, for failure messages. */
    public List<String> transcript() {
        return List.copyOf(transcript);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean add(List<Reply> replies, Reply reply) {
        replies.add(reply);
        return reply.positive();
    }

    private Reply readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            transcript.add("S: " + line);
            if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)
                    || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new IllegalStateException("malformed SMTP reply line: \"" + line + "\"\n" + String.join("\n", transcript));
            }
            lines.add(line);
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
            }
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the server after: \""
                        + line.toString(StandardCharsets.UTF_8) + "\"");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    private IllegalStateException failure(String what, IOException e) {
        return new IllegalStateException("SMTP " + what + " failed: " + e + "\n" + String.join("\n", transcript), e);
    }

    /** CRLF line ends, a dot in front of every line that starts with one, and a final CRLF. */
    static byte[] dotStuffed(byte[] message) {
        ByteArrayOutputStream stuffed = new ByteArrayOutputStream(message.length + 64);
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (lineStart && b == '.') {
                stuffed.write('.');
            }
            if (b == '\n' && (i == 0 || message[i - 1] != '\r')) {
                stuffed.write('\r');
            }
            stuffed.write(b);
            lineStart = b == '\n';
        }
        if (!lineStart) {
            stuffed.write('\r');
            stuffed.write('\n');
        }
        return stuffed.toByteArray();
    }
}
