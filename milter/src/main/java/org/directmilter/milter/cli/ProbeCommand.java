package org.directmilter.milter.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.directmilter.milter.client.ChangedMessage;
import org.directmilter.milter.client.EndOfMessageResult;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.Exchange;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.client.RawMessage;
import org.directmilter.milter.client.Responses;
import org.directmilter.milter.protocol.Actions;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.server.SocketSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code direct-milter probe}: play the MTA for one message, like miltertest, and show what the milter did. */
@Command(name = "probe",
        header = "Drive a running milter with one message and show its answers and changes.",
        description = {
            "Connects to the milter at --socket the way Postfix does (protocol 6, every action offered, "
                    + "the milter's macro requests honoured), sends CONNECT, HELO, MAIL, one RCPT per --to, "
                    + "the headers and body of FILE, and end of message. Prints each command with the "
                    + "milter's reply, then every change the milter asked for at end of message.",
            "",
            "FILE is an RFC 5322 message (LF or CRLF line ends); '-' reads standard input. Without FILE "
                    + "a small sample message from --from to the first --to is sent.",
            "",
            "With --output FILE (or '-') the message as the MTA would deliver it after the changes is written "
                    + "there: for an outgoing Direct message that is the S/MIME message the partner receives."
        },
        exitCodeList = {
            " 0:the milter accepted the message (possibly changed)",
            " 2:the milter rejected it (5xx) at some step, or refused every recipient",
            " 3:the milter tempfailed it (4xx)",
            " 4:the milter discarded it",
            "64:bad command line (EX_USAGE)",
            "66:FILE cannot be read (EX_NOINPUT)",
            "69:the milter cannot be reached, or broke the protocol (EX_UNAVAILABLE)"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  direct-milter probe --socket inet:8891@127.0.0.1 --from alice@hisp.example --to bob@partner.example",
            "  direct-milter probe --socket local:/run/direct-milter/direct-milter.sock --auth alice \\",
            "      --from alice@hisp.example --to bob@partner.example message.eml --output sent.eml"
        })
final class ProbeCommand implements Callable<Integer> {
    static final int REJECTED = 2;
    static final int TEMPFAILED = 3;
    static final int DISCARDED = 4;
    static final int NO_INPUT = 66;
    static final int UNAVAILABLE = 69;

    @Mixin
    Subcommand command;

    @Option(names = {"-s", "--socket"}, required = true, paramLabel = "SPEC",
            description = "The milter's socket: inet:PORT@HOST, inet6:PORT@[ADDR], local:/path or unix:/path.")
    String socket;

    @Option(names = {"-f", "--from"}, required = true, paramLabel = "ADDRESS", description = "Envelope sender (MAIL FROM).")
    String from;

    @Option(names = {"-t", "--to"}, required = true, paramLabel = "ADDRESS", description = "Envelope recipient (RCPT TO); repeat for more.")
    List<String> to;

    @Option(names = "--client-addr", paramLabel = "IP", defaultValue = "127.0.0.1",
            description = "The SMTP client's address sent at CONNECT (default: ${DEFAULT-VALUE}).")
    String clientAddress;

    @Option(names = "--client-name", paramLabel = "NAME", defaultValue = "localhost",
            description = "The SMTP client's host name sent at CONNECT (default: ${DEFAULT-VALUE}).")
    String clientName;

    @Option(names = "--helo", paramLabel = "NAME", defaultValue = "localhost", description = "HELO name (default: ${DEFAULT-VALUE}).")
    String helo;

    @Option(names = "--auth", paramLabel = "USER", description = "Act as an authenticated client: sets {auth_authen} and {auth_type}.")
    String authUser;

    @Option(names = "--daemon-name", paramLabel = "NAME", description = "Sets {daemon_name}, e.g. the submission service's name.")
    String daemonName;

    @Option(names = "--queue-id", paramLabel = "ID", defaultValue = "PROBE",
            description = "The queue id macro 'i' from RCPT on (default: ${DEFAULT-VALUE}).")
    String queueId;

    @Option(names = "--macro", paramLabel = "STAGE:NAME=VALUE",
            description = "Any other macro, e.g. C:{daemon_port}=587; STAGE is C, H, M, R, T, N or E.")
    List<String> extraMacros = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the message as it would be delivered ('-' for standard output).")
    String output;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "330",
            description = "Give up when the milter has not finished after this long (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The message to send.")
    String file;

    @Override
    public Integer call() {
        PrintWriter out = command.out();
        PrintWriter err = command.err();
        SocketSpec target;
        Map<Character, Map<String, String>> macros;
        try {
            target = SocketSpec.parse(socket);
            macros = macros();
        } catch (IllegalArgumentException e) {
            return command.fail(64, e.getMessage());
        }
        byte[] message;
        try {
            message = readMessage();
        } catch (NoSuchFileException e) {
            return command.fail(NO_INPUT, file + ": no such file");
        } catch (IOException e) {
            return command.fail(NO_INPUT, "cannot read " + file + ": " + e.getMessage());
        }
        Envelope envelope = new Envelope(clientName, clientAddress, helo, from, to, macros);
        Timer timer = new Timer("probe-timeout", true);
        try (MilterClient client = MilterClient.connect(target)) {
            timer.schedule(new TimerTask() {
                @Override
                public void run() {
                    err.println("direct-milter probe: no answer within " + timeoutSeconds + " s; giving up");
                    try {
                        client.close();
                    } catch (IOException ignored) {
                        // closing is the point; nothing else to do
                    }
                }
            }, timeoutSeconds * 1000L);
            Response.OptionNegotiation agreed = client.negotiate();
            out.printf("milter %s: protocol %d, actions %s, steps %s%n", target, agreed.version(),
                    Actions.describe(agreed.actions()), ProtocolFlags.describe(agreed.protocolFlags()));
            Exchange.Outcome outcome = Exchange.send(client, envelope, message);
            for (Exchange.Step step : outcome.steps()) {
                out.printf("  %-44s -> %s%n", step.command(), Responses.describe(step.reply()));
            }
            return report(out, err, envelope, message, outcome, client.has(ProtocolFlags.HEADER_LEADING_SPACE));
        } catch (IOException e) {
            return command.fail(UNAVAILABLE, e.getMessage());
        } finally {
            timer.cancel();
            out.flush();
        }
    }

    private int report(PrintWriter out, PrintWriter err, Envelope envelope, byte[] message, Exchange.Outcome outcome,
                       boolean leadingSpace) throws IOException {
        if (outcome.endOfMessage().isEmpty()) {
            Response ending = outcome.refusal().map(Exchange.Step::reply).orElse(null);
            out.println("result: " + (ending == null ? "every recipient refused" : Responses.describe(ending)));
            return ending == null ? REJECTED : exitFor(ending);
        }
        EndOfMessageResult eom = outcome.endOfMessage().get();
        if (!eom.modifications().isEmpty()) {
            out.println("changes:");
            int bodyChunks = 0;
            long bodyBytes = 0;
            for (Response.Modification m : eom.modifications()) {
                if (m instanceof Response.ReplaceBody b) {
                    bodyChunks++;
                    bodyBytes += b.chunk().length;
                } else {
                    out.println("  " + Responses.describe(m));
                }
            }
            if (bodyChunks > 0) {
                out.printf("  replace body: %d bytes in %d packet(s)%n", bodyBytes, bodyChunks);
            }
        }
        if (eom.progressCount() > 0) {
            out.println("progress packets: " + eom.progressCount());
        }
        out.println("result: " + Responses.describe(eom.finalReply()));
        int status = exitFor(eom.finalReply());
        if (output != null && status == 0) {
            ChangedMessage delivered = ChangedMessage.apply(envelope, RawMessage.parse(message), eom.modifications(), leadingSpace);
            write(delivered.toBytes());
            out.println("envelope after changes: from <" + delivered.sender() + "> to " + delivered.recipients());
        } else if (output != null) {
            err.println("direct-milter probe: nothing written to " + output + ": the message was not accepted");
        }
        return status;
    }

    private static int exitFor(Response reply) {
        if (Responses.temporary(reply)) {
            return TEMPFAILED;
        } else if (Responses.permanent(reply)) {
            return REJECTED;
        } else if (reply instanceof Response.Discard) {
            return DISCARDED;
        }
        return 0;
    }

    private void write(byte[] bytes) throws IOException {
        if ("-".equals(output)) {
            out().write(bytes);
            out().flush();
        } else {
            Files.write(Path.of(output), bytes);
        }
    }

    // the transcript goes through the PrintWriter; the message bytes go straight to stdout
    private static OutputStream out() {
        return System.out;
    }

    private byte[] readMessage() throws IOException {
        if (file == null) {
            return sample();
        }
        if ("-".equals(file)) {
            return System.in.readAllBytes();
        }
        return Files.readAllBytes(Path.of(file));
    }

    private byte[] sample() {
        String text = "From: <" + from + ">\r\n"
                + "To: <" + to.get(0) + ">\r\n"
                + "Subject: direct-milter probe\r\n"
                + "Date: " + ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME) + "\r\n"
                + "Message-ID: <" + UUID.randomUUID() + "@direct-milter.probe>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n"
                + "\r\n"
                + "A test message sent by direct-milter probe.\r\n";
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private Map<Character, Map<String, String>> macros() {
        Map<Character, Map<String, String>> macros = new HashMap<>();
        if (daemonName != null) {
            stage(macros, 'C').put("{daemon_name}", daemonName);
        }
        stage(macros, 'C').put("{client_addr}", clientAddress);
        if (authUser != null) {
            stage(macros, 'M').put("{auth_authen}", authUser);
            stage(macros, 'M').put("{auth_type}", "PLAIN");
        }
        for (char s : new char[] {'R', 'N', 'E'}) {
            stage(macros, s).put("i", queueId);
        }
        for (String macro : extraMacros) {
            int colon = macro.indexOf(':');
            int equals = macro.indexOf('=');
            if (colon != 1 || equals < 3 || "CHMRTNE".indexOf(macro.charAt(0)) < 0) {
                throw new IllegalArgumentException("--macro " + macro + ": expected STAGE:NAME=VALUE with STAGE one of C H M R T N E");
            }
            stage(macros, macro.charAt(0)).put(macro.substring(2, equals), macro.substring(equals + 1));
        }
        return macros;
    }

    private static Map<String, String> stage(Map<Character, Map<String, String>> macros, char stage) {
        return macros.computeIfAbsent(stage, s -> new LinkedHashMap<>());
    }
}
