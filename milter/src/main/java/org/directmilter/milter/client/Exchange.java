package org.directmilter.milter.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.protocol.Response;

/**
 * Drives one whole message through a milter as Postfix would: CONNECT, HELO, MAIL, each RCPT,
 * headers, body, end of message, stopping where the milter ends the transaction. Records every
 * step and its reply.
 */
public final class Exchange {

    /** One command and what the milter said to it (null: no reply expected or step skipped). */
    public record Step(String command, Response reply) {
    }

    /** The transcript, and the end-of-message answer when the message got that far. */
    public record Outcome(List<Step> steps, Optional<EndOfMessageResult> endOfMessage) {

        /** The reply that ended the transaction early, if one did. */
        public Optional<Step> refusal() {
            return steps.stream().filter(s -> ends(s.reply())).findFirst();
        }
    }

    private Exchange() {
    }

    /** Negotiates (if not yet done) and sends one message on the client's connection. */
    public static Outcome send(MilterClient client, Envelope envelope, byte[] message) throws IOException {
        return send(client, envelope, RawMessage.parse(message));
    }

    /** As {@link #send(MilterClient, Envelope, byte[])}, for a message parsed once and sent many times. */
    public static Outcome send(MilterClient client, Envelope envelope, RawMessage raw) throws IOException {
        if (client.agreed() == null) {
            client.negotiate();
        }
        boolean leadingSpace = client.has(ProtocolFlags.HEADER_LEADING_SPACE);
        List<Step> steps = new ArrayList<>();
        macros(client, envelope, 'C');
        if (record(client, steps, ProtocolFlags.NO_CONNECT, "CONNECT " + envelope.clientHost() + " [" + envelope.clientAddress() + "]",
                client.connect(envelope.clientHost(), '4', 25, envelope.clientAddress()))) {
            return new Outcome(steps, Optional.empty());
        }
        macros(client, envelope, 'H');
        if (record(client, steps, ProtocolFlags.NO_HELO, "HELO " + envelope.helo(), client.helo(envelope.helo()))) {
            return new Outcome(steps, Optional.empty());
        }
        macros(client, envelope, 'M');
        if (record(client, steps, ProtocolFlags.NO_MAIL, "MAIL FROM:<" + envelope.sender() + ">", client.mail("<" + envelope.sender() + ">"))) {
            return new Outcome(steps, Optional.empty());
        }
        int accepted = 0;
        for (String recipient : envelope.recipients()) {
            macros(client, envelope, 'R');
            Response reply = client.recipient("<" + recipient + ">");
            steps.add(new Step("RCPT TO:<" + recipient + ">", reply));
            if (reply instanceof Response.Accept || reply instanceof Response.Discard) {
                return new Outcome(steps, Optional.empty());
            }
            if (!ends(reply)) {
                accepted++;
            }
        }
        if (accepted == 0) {
            client.abort();
            return new Outcome(steps, Optional.empty());
        }
        macros(client, envelope, 'T');
        if (record(client, steps, ProtocolFlags.NO_DATA, "DATA", client.data())) {
            return new Outcome(steps, Optional.empty());
        }
        for (RawMessage.Field field : raw.headers()) {
            Response reply = client.header(field.name(), leadingSpace ? field.value() : field.valueWithoutLeadingSpace());
            if (reply != null && record(client, steps, ProtocolFlags.NO_HEADERS, "HEADER " + field.name(), reply)) {
                return new Outcome(steps, Optional.empty());
            }
        }
        macros(client, envelope, 'N');
        if (record(client, steps, ProtocolFlags.NO_EOH, "EOH", client.endOfHeaders())) {
            return new Outcome(steps, Optional.empty());
        }
        if (record(client, steps, ProtocolFlags.NO_BODY, "BODY (" + raw.body().length + " bytes)",
                client.body(new ByteArrayInputStream(raw.body())))) {
            return new Outcome(steps, Optional.empty());
        }
        macros(client, envelope, 'E');
        EndOfMessageResult eom = client.endOfMessage();
        steps.add(new Step("EOM", eom.finalReply()));
        return new Outcome(steps, Optional.of(eom));
    }

    private static void macros(MilterClient client, Envelope envelope, char stage) throws IOException {
        Map<String, String> values = envelope.macros().get(stage);
        if (values != null && !values.isEmpty()) {
            client.macros(stage, values);
        }
    }

    /** Records the step unless the milter asked to skip it; @return true when the reply ends the transaction */
    private static boolean record(MilterClient client, List<Step> steps, int skipFlag, String command, Response reply) {
        if (!client.has(skipFlag)) {
            steps.add(new Step(command, reply));
        }
        return ends(reply);
    }

    static boolean ends(Response reply) {
        return reply != null && !(reply instanceof Response.Continue) && !(reply instanceof Response.Progress);
    }
}
