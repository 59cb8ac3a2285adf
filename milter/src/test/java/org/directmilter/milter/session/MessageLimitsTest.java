package org.directmilter.milter.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.testkit.RunningMilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits on what one message may make the daemon hold, and the refusal of envelope addresses with
 * line breaks, through the real protocol with the project's client: each answers its documented reply,
 * the handler never sees what was refused, and the connection goes on serving the next message.
 */
class MessageLimitsTest {

    @TempDir
    Path spool;

    /** Records what reached the handler. */
    static final class Seen implements MessageHandler {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Verdict mail(Transaction transaction) {
            events.add("mail " + transaction.sender().raw());
            return Verdict.CONTINUE;
        }

        @Override
        public Verdict recipient(Transaction transaction, EnvelopeAddress recipient) {
            events.add("rcpt " + recipient.raw());
            return Verdict.CONTINUE;
        }

        @Override
        public EndOfMessage endOfMessage(Message message) {
            events.add("eom " + message.transaction().recipients().size() + " rcpts, " + message.headers().size()
                    + " headers");
            return EndOfMessage.of(Verdict.ACCEPT);
        }
    }

    private SessionSettings settings(MessageLimits limits) {
        return SessionSettings.defaults().withSpool(1 << 20, spool).withLimits(limits);
    }

    private static Response reply(String text) {
        return new Response.ReplyCode(text);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void recipientsBeyondTheLimitAreDeferredOneByOne() throws IOException {
        Seen handler = new Seen();
        try (RunningMilter milter = new RunningMilter(handler, settings(new MessageLimits(3, 100, 65_536, 64L << 20)));
             MilterClient client = milter.client()) {
            client.negotiate();
            client.mail("<a@b.example>");
            for (int i = 1; i <= 3; i++) {
                assertThat(client.recipient("<r" + i + "@d.example>")).isInstanceOf(Response.Continue.class);
            }
            assertThat(client.recipient("<r4@d.example>")).isEqualTo(reply("452 4.5.3 too many recipients"));
            assertThat(client.recipient("<r5@d.example>")).isEqualTo(reply("452 4.5.3 too many recipients"));
            client.header("Subject", bytes(" hi"));
            client.endOfHeaders();
            assertThat(client.endOfMessage().finalReply()).isInstanceOf(Response.Accept.class);
        }
        assertThat(handler.events).containsExactly("mail <a@b.example>", "rcpt <r1@d.example>", "rcpt <r2@d.example>",
                "rcpt <r3@d.example>", "eom 3 rcpts, 1 headers");
    }

    @Test
    void recipientsAreBoundedInCharactersTooSoLongOnesCannotFillTheHeap() throws IOException {
        Seen handler = new Seen();
        String longLocalPart = "r".repeat(3000);
        int continued = 0;
        Response last = null;
        try (RunningMilter milter = new RunningMilter(handler, settings(MessageLimits.defaults()));
             MilterClient client = milter.client()) {
            client.negotiate();
            client.mail("<a@b.example>");
            for (int i = 0; i < 100; i++) {
                last = client.recipient("<" + longLocalPart + i + "@d.example>");
                if (last instanceof Response.Continue) {
                    continued++;
                }
            }
        }
        assertThat(last).isEqualTo(reply("452 4.5.3 too many recipients"));
        int fit = 0;
        for (long chars = 0; fit < 100; fit++) {
            chars += ("<" + longLocalPart + fit + "@d.example>").length();
            if (chars > MilterSession.MAX_RECIPIENT_CHARS) {
                break;
            }
        }
        assertThat(continued).as("what fits in %d characters", MilterSession.MAX_RECIPIENT_CHARS).isEqualTo(fit)
                .isLessThan(100);
        assertThat(handler.events).hasSize(1 + continued);
    }

    @Test
    void tooManyHeaderFieldsRefuseTheMessageAtTheEndOfHeadersAndTheNextMessageIsServed() throws IOException {
        Seen handler = new Seen();
        try (RunningMilter milter = new RunningMilter(handler, settings(new MessageLimits(100, 5, 65_536, 64L << 20)));
             MilterClient client = milter.client()) {
            client.negotiate();
            client.mail("<a@b.example>");
            client.recipient("<r@d.example>");
            for (int i = 0; i < 6; i++) {
                client.header("X-N" + i, bytes(" " + i));
            }
            assertThat(client.endOfHeaders())
                    .isEqualTo(reply("552 5.3.4 message header too large: too many header fields"));
            client.abort();

            client.mail("<a@b.example>");
            client.recipient("<r@d.example>");
            client.header("Subject", bytes(" second"));
            client.endOfHeaders();
            assertThat(client.endOfMessage().finalReply()).isInstanceOf(Response.Accept.class);
        }
        assertThat(handler.events).containsExactly("mail <a@b.example>", "rcpt <r@d.example>", "mail <a@b.example>",
                "rcpt <r@d.example>", "eom 1 rcpts, 1 headers");
    }

    @Test
    void headerFieldsLargerThanTheLimitRefuseTheMessageEvenWhenTheMtaSendsItsBody() throws IOException {
        Seen handler = new Seen();
        try (RunningMilter milter = new RunningMilter(handler, settings(new MessageLimits(100, 100, 2048, 64L << 20)));
             MilterClient client = milter.client()) {
            client.negotiate();
            client.mail("<a@b.example>");
            client.recipient("<r@d.example>");
            client.header("X-Small", bytes(" 1"));
            client.header("X-Large", bytes(" " + "x".repeat(3000)));
            // an MTA that ignores the answer at the end of headers gets it again at end of message (body
            // chunks are answered by nobody: no reply to them was negotiated)
            assertThat(client.endOfHeaders()).isEqualTo(reply("552 5.3.4 message header too large"));
            assertThat(client.body(new java.io.ByteArrayInputStream(bytes("body\r\n")))).isNull();
            assertThat(client.endOfMessage().finalReply()).isEqualTo(reply("552 5.3.4 message header too large"));
        }
        assertThat(handler.events).doesNotContain("eom 1 rcpts, 1 headers").noneMatch(e -> e.startsWith("eom"));
    }

    @Test
    void envelopeAddressesWithLineBreaksAreRefusedBeforeTheHandlerSeesThem() throws IOException {
        Seen handler = new Seen();
        try (RunningMilter milter = new RunningMilter(handler, settings(MessageLimits.defaults()));
             MilterClient client = milter.client()) {
            client.negotiate();
            assertThat(client.mail("<a@b.example>\r\nX-Forged: yes"))
                    .isEqualTo(reply("501 5.1.7 bad sender address syntax"));
            assertThat(client.mail("<a@b.example>", "SIZE=10\nX")).isEqualTo(reply("501 5.1.7 bad sender address syntax"));
            assertThat(client.mail("<a@b.example>")).isInstanceOf(Response.Continue.class);
            assertThat(client.recipient("<r@d.example>\n")).isEqualTo(reply("501 5.1.3 bad recipient address syntax"));
            assertThat(client.recipient("<r\r@d.example>")).isEqualTo(reply("501 5.1.3 bad recipient address syntax"));
            assertThat(client.recipient("<" + "r".repeat(5000) + "@d.example>"))
                    .isEqualTo(reply("501 5.1.3 bad recipient address syntax"));
            assertThat(client.recipient("<r@d.example>")).isInstanceOf(Response.Continue.class);
        }
        assertThat(handler.events).containsExactly("mail <a@b.example>", "rcpt <r@d.example>");
    }

    @Test
    void aNulInAnAddressIsRefusedToo() {
        // On the wire a NUL ends the string, so it can only come from a decoder that let one through.
        assertThat(MilterSession.wellFormed("<a\0b@d.example>", List.of())).isFalse();
        assertThat(MilterSession.wellFormed("<ab@d.example>", List.of("X=\0"))).isFalse();
        assertThat(MilterSession.wellFormed("<ab@d.example>", List.of("SIZE=1"))).isTrue();
    }
}
