package org.directmilter.milter.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.directmilter.milter.client.EndOfMessageResult;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.Exchange;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.protocol.Actions;
import org.directmilter.milter.protocol.Command;
import org.directmilter.milter.protocol.CommandCodec;
import org.directmilter.milter.protocol.Frame;
import org.directmilter.milter.protocol.FrameWriter;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.server.ServerSettings;
import org.directmilter.milter.testkit.RunningMilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MilterSessionTest {
    private static final byte[] MESSAGE = ("From: alice@hisp.example\r\n"
            + "To: bob@partner.example\r\n"
            + "Subject:  two spaces and\r\n\tfolded\r\n"
            + "X-Raw: caf\u00e9\r\n"
            + "\r\n"
            + "Hello Bob.\r\n").getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path spool;

    /** Records what the handler was given. */
    static final class Recorder implements MessageHandler {
        final List<byte[]> messages = Collections.synchronizedList(new ArrayList<>());
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        volatile EndOfMessage answer = EndOfMessage.of(Verdict.ACCEPT);

        @Override
        public Verdict connect(Client client, Macros macros) {
            events.add("connect " + client.hostname() + " " + client.address() + " j=" + macros.get("j").orElse("-"));
            return Verdict.CONTINUE;
        }

        @Override
        public Verdict mail(Transaction t) {
            events.add("mail " + t.sender().address() + " auth=" + t.macros().get("auth_authen").orElse("-")
                    + " helo=" + t.helo());
            return Verdict.CONTINUE;
        }

        @Override
        public Verdict recipient(Transaction t, EnvelopeAddress r) {
            events.add("rcpt " + r.address());
            return r.domain().equals("refused.example")
                    ? Verdict.reject(SmtpReply.reject("5.7.1", "no certificate for " + r.address()))
                    : Verdict.CONTINUE;
        }

        @Override
        public EndOfMessage endOfMessage(Message message) throws IOException {
            try (InputStream in = message.openStream()) {
                messages.add(in.readAllBytes());
            }
            events.add("eom rcpts=" + message.transaction().recipients().stream().map(EnvelopeAddress::address).toList()
                    + " auth=" + message.transaction().macros().get("{auth_authen}").orElse("-")
                    + " qid=" + message.transaction().queueId().orElse("-"));
            return answer;
        }
    }

    private SessionSettings settings() {
        return SessionSettings.defaults().withSpool(1 << 20, spool);
    }

    @Test
    void passesHeadersAndBodyThroughByteForByte() throws IOException {
        Recorder recorder = new Recorder();
        try (RunningMilter milter = new RunningMilter(recorder, settings()); MilterClient client = milter.client()) {
            Exchange.Outcome outcome = Exchange.send(client, Envelope.of("alice@hisp.example", List.of("bob@partner.example")), MESSAGE);
            assertThat(outcome.endOfMessage()).isPresent();
            assertThat(outcome.endOfMessage().get().finalReply()).isInstanceOf(Response.Accept.class);
            assertThat(outcome.endOfMessage().get().modifications()).isEmpty();
            assertThat(client.has(ProtocolFlags.HEADER_LEADING_SPACE)).isTrue();
        }
        assertThat(recorder.messages).hasSize(1);
        assertThat(recorder.messages.get(0)).isEqualTo(MESSAGE);
    }

    @Test
    void asksTheMtaForTheMacrosTheHandlerDeclaresAndNoOthers() throws IOException {
        MessageHandler declaring = new MessageHandler() {
            @Override
            public MacroRequests macros() {
                return MacroRequests.none().atConnect("j").atMail("{auth_authen}", "i");
            }

            @Override
            public EndOfMessage endOfMessage(Message message) {
                return EndOfMessage.of(Verdict.ACCEPT);
            }
        };
        try (RunningMilter milter = new RunningMilter(declaring, settings()); MilterClient client = milter.client()) {
            assertThat(client.negotiate().macroRequests()).containsOnly(
                    Map.entry(org.directmilter.milter.protocol.MacroStage.CONNECT, "j"),
                    Map.entry(org.directmilter.milter.protocol.MacroStage.MAIL, "{auth_authen} i"));
        }
        try (RunningMilter milter = new RunningMilter(new PassThroughHandler(), settings());
             MilterClient client = milter.client()) {
            assertThat(client.negotiate().macroRequests()).as("a handler that declares none").isEmpty();
        }
    }

    @Test
    void rebuildsHeadersWhenTheMtaCannotKeepTheLeadingSpace() throws IOException {
        Recorder recorder = new Recorder();
        try (RunningMilter milter = new RunningMilter(recorder, settings()); MilterClient client = milter.client()) {
            client.negotiate(new Command.OptionNegotiation(6, Actions.ALL, ProtocolFlags.ALL & ~ProtocolFlags.HEADER_LEADING_SPACE));
            Exchange.send(client, Envelope.of("alice@hisp.example", List.of("bob@partner.example")), MESSAGE);
        }
        // an MTA without HDR_LEADSPC drops exactly one space; the rest comes back
        assertThat(new String(recorder.messages.get(0), StandardCharsets.UTF_8)).isEqualTo(new String(MESSAGE, StandardCharsets.UTF_8));
    }

    /** Offers protocol version 6 with every action and flag, as a raw MTA would, and returns the milter's answer. */
    private static Response.OptionNegotiation negotiateEverything(Socket socket, FrameWriter out, InputStream in)
            throws IOException {
        socket.setSoTimeout(5000);
        out.write(CommandCodec.encode(new Command.OptionNegotiation(6, Actions.ALL, ProtocolFlags.ALL)));
        out.flush();
        return (Response.OptionNegotiation) readResponse(in);
    }

    @Test
    void sendsNoReplyWhereNoneIsDue() throws IOException {
        try (RunningMilter milter = new RunningMilter(new PassThroughHandler(), settings());
             Socket socket = new Socket("127.0.0.1", milter.port())) {
            FrameWriter out = new FrameWriter(socket.getOutputStream());
            InputStream in = socket.getInputStream();
            Response.OptionNegotiation agreed = negotiateEverything(socket, out, in);
            assertThat(agreed.protocolFlags() & ProtocolFlags.NO_REPLY_HEADER).isNotZero();
            assertThat(agreed.protocolFlags() & ProtocolFlags.NO_DATA).isNotZero();
            out.write(CommandCodec.encode(new Command.Macros('M', Map.of("i", "Q1"))));
            out.write(CommandCodec.encode(new Command.Mail("<a@b.example>", List.of())));
            out.flush();
            assertThat(readResponse(in)).isInstanceOf(Response.Continue.class);
            out.write(CommandCodec.encode(new Command.Header("A".getBytes(StandardCharsets.US_ASCII), " 1".getBytes(StandardCharsets.US_ASCII))));
            out.write(CommandCodec.encode(new Command.Header("B".getBytes(StandardCharsets.US_ASCII), " 2".getBytes(StandardCharsets.US_ASCII))));
            out.write(CommandCodec.encode(new Command.EndOfHeaders()));
            out.flush();
            // exactly one reply: the one for EOH; headers got none, and ABORT gets none either
            assertThat(readResponse(in)).isInstanceOf(Response.Continue.class);
            out.write(CommandCodec.encode(new Command.Abort()));
            out.write(CommandCodec.encode(new Command.Mail("<c@d.example>", List.of())));
            out.flush();
            assertThat(readResponse(in)).isInstanceOf(Response.Continue.class);
        }
    }

    @Test
    void asksForNoReplyWhereTheAnswerCanOnlyBeContinue() throws IOException {
        try (RunningMilter milter = new RunningMilter(new PassThroughHandler(), settings());
             Socket socket = new Socket("127.0.0.1", milter.port())) {
            FrameWriter out = new FrameWriter(socket.getOutputStream());
            InputStream in = socket.getInputStream();
            Response.OptionNegotiation agreed = negotiateEverything(socket, out, in);
            int noReply = ProtocolFlags.NO_REPLY_CONNECT | ProtocolFlags.NO_REPLY_HELO | ProtocolFlags.NO_REPLY_HEADER
                    | ProtocolFlags.NO_REPLY_BODY;
            assertThat(agreed.protocolFlags() & noReply).as(ProtocolFlags.describe(agreed.protocolFlags()))
                    .isEqualTo(noReply);
            assertThat(agreed.protocolFlags() & (ProtocolFlags.NO_REPLY_MAIL | ProtocolFlags.NO_REPLY_RCPT
                    | ProtocolFlags.NO_REPLY_EOH)).as("the steps that can refuse are answered").isZero();
            out.write(CommandCodec.encode(new Command.Connect("client.example", '4', 25, "192.0.2.1")));
            out.write(CommandCodec.encode(new Command.Helo("client.example")));
            out.write(CommandCodec.encode(new Command.Mail("<a@b.example>", List.of())));
            out.flush();
            // the first reply is MAIL's: CONNECT and HELO got none
            assertThat(readResponse(in)).isInstanceOf(Response.Continue.class);
            out.write(CommandCodec.encode(new Command.Recipient("<c@d.example>", List.of())));
            out.write(CommandCodec.encode(new Command.EndOfHeaders()));
            out.write(CommandCodec.encode(new Command.BodyChunk("one\r\n".getBytes(StandardCharsets.US_ASCII))));
            out.write(CommandCodec.encode(new Command.BodyChunk("two\r\n".getBytes(StandardCharsets.US_ASCII))));
            out.write(CommandCodec.encode(new Command.EndOfMessage(new byte[0])));
            out.flush();
            assertThat(readResponse(in)).as("RCPT").isInstanceOf(Response.Continue.class);
            assertThat(readResponse(in)).as("EOH").isInstanceOf(Response.Continue.class);
            assertThat(readResponse(in)).as("end of message, the body chunks got none").isInstanceOf(Response.Accept.class);
        }
    }

    @Test
    void answersConnectWhenTheHandlerDecidesThere() throws IOException {
        Recorder recorder = new Recorder();
        try (RunningMilter milter = new RunningMilter(recorder, settings()); MilterClient client = milter.client()) {
            Response.OptionNegotiation agreed = client.negotiate();
            assertThat(agreed.protocolFlags() & ProtocolFlags.NO_REPLY_CONNECT).isZero();
            assertThat(client.connect("client.example", '4', 25, "192.0.2.1")).isInstanceOf(Response.Continue.class);
        }
        assertThat(MilterSessionFactory.decidesAtConnect(recorder)).isTrue();
        assertThat(MilterSessionFactory.decidesAtConnect(new PassThroughHandler())).isFalse();
    }

    @Test
    void aSpooledReplacementGoesOutInFullPacketsWhateverItsChunks() throws IOException {
        // written in pieces of many sizes, so the spool holds it in chunks of many sizes; the packets are
        // still 65,535 bytes each but the last, and carry it byte for byte
        byte[] big = new byte[150_000];
        java.util.Random random = new java.util.Random(0xb0d1L);
        random.nextBytes(big);
        MessageHandler handler = message -> {
            SpooledBody body = new SpooledBody(1 << 20, spool);
            try (OutputStream out = body.asOutputStream()) {
                for (int pos = 0; pos < big.length; ) {
                    int n = Math.min(big.length - pos, 1 + random.nextInt(random.nextBoolean() ? 50 : 20_000));
                    out.write(big, pos, n);
                    pos += n;
                }
            }
            return EndOfMessage.accept(new Modification.ReplaceBody(body));
        };
        try (RunningMilter milter = new RunningMilter(handler, settings()); MilterClient client = milter.client()) {
            EndOfMessageResult eom = Exchange.send(client, Envelope.of("a@b.example", List.of("c@d.example")), MESSAGE)
                    .endOfMessage().orElseThrow();
            assertThat(eom.all(Response.ReplaceBody.class)).extracting(c -> c.chunk().length)
                    .containsExactly(65_535, 65_535, 150_000 - 2 * 65_535);
            assertThat(eom.replacedBody()).contains(big);
        }
    }

    @Test
    void replacesLargeBodiesInPacketsOfAtMost65535Bytes() throws IOException {
        byte[] big = new byte[200_001];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        MessageHandler handler = message -> EndOfMessage.accept(
                new Modification.ReplaceBody(ByteSource.of(big)),
                new Modification.AddHeader(HeaderField.of("X-Replaced", "yes")));
        try (RunningMilter milter = new RunningMilter(handler, settings()); MilterClient client = milter.client()) {
            EndOfMessageResult eom = Exchange.send(client, Envelope.of("a@b.example", List.of("c@d.example")), MESSAGE)
                    .endOfMessage().orElseThrow();
            List<Response.Modification> mods = eom.modifications();
            assertThat(mods.get(0)).isInstanceOf(Response.AddHeader.class);
            List<Response.ReplaceBody> chunks = eom.all(Response.ReplaceBody.class);
            assertThat(chunks).hasSize(4);
            assertThat(chunks).allSatisfy(c -> assertThat(c.chunk().length).isLessThanOrEqualTo(65_535));
            assertThat(mods.subList(1, mods.size())).as("body packets form one unbroken run").allMatch(m -> m instanceof Response.ReplaceBody);
            assertThat(eom.replacedBody()).contains(big);
            Response.AddHeader added = (Response.AddHeader) mods.get(0);
            assertThat(new String(added.value(), StandardCharsets.US_ASCII)).as("HDR_LEADSPC agreed: we send the space").isEqualTo(" yes");
        }
    }

    @Test
    void encodesEveryModification() throws IOException {
        MessageHandler handler = message -> EndOfMessage.accept(
                new Modification.AddHeader(HeaderField.of("X-Add", "folded\r\n line")),
                new Modification.InsertHeader(0, HeaderField.of("X-Top", "t")),
                new Modification.ChangeHeader(1, HeaderField.of("Subject", "new")),
                new Modification.DeleteHeader("X-Raw", 1),
                new Modification.AddRecipient("<carol@hisp.example>", ""),
                new Modification.AddRecipient("<dave@hisp.example>", "NOTIFY=NEVER"),
                new Modification.DeleteRecipient("<bob@partner.example>"),
                new Modification.ChangeFrom("<>", ""),
                new Modification.Quarantine("held for review"));
        try (RunningMilter milter = new RunningMilter(handler, settings()); MilterClient client = milter.client()) {
            client.negotiate(new Command.OptionNegotiation(6, Actions.ALL, ProtocolFlags.ALL & ~ProtocolFlags.HEADER_LEADING_SPACE));
            EndOfMessageResult eom = Exchange.send(client, Envelope.of("a@b.example", List.of("bob@partner.example")), MESSAGE)
                    .endOfMessage().orElseThrow();
            assertThat(eom.modifications()).hasSize(9);
            Response.AddHeader add = (Response.AddHeader) eom.modifications().get(0);
            assertThat(new String(add.value(), StandardCharsets.US_ASCII)).as("no leading space, LF folds").isEqualTo("folded\n line");
            assertThat(eom.modifications().get(1)).isEqualTo(new Response.InsertHeader(0, "X-Top", eom.all(Response.InsertHeader.class).get(0).value()));
            assertThat(eom.all(Response.ChangeHeader.class)).extracting(Response.ChangeHeader::name).containsExactly("Subject", "X-Raw");
            assertThat(eom.all(Response.ChangeHeader.class).get(1).value()).isEmpty();
            assertThat(eom.all(Response.AddRecipient.class)).containsExactly(new Response.AddRecipient("<carol@hisp.example>"));
            assertThat(eom.all(Response.AddRecipientWithArgs.class)).containsExactly(new Response.AddRecipientWithArgs("<dave@hisp.example>", "NOTIFY=NEVER"));
            assertThat(eom.all(Response.DeleteRecipient.class)).containsExactly(new Response.DeleteRecipient("<bob@partner.example>"));
            assertThat(eom.all(Response.ChangeFrom.class)).containsExactly(new Response.ChangeFrom("<>", ""));
            assertThat(eom.all(Response.Quarantine.class)).containsExactly(new Response.Quarantine("held for review"));
        }
    }

    @Test
    void refusesChangesTheMtaDidNotAllowInsteadOfLettingTheMessageThroughUnchanged() throws IOException {
        try (RunningMilter milter = new RunningMilter(TestHandlers.replaceBody("x", "X-A", "b"), settings());
             MilterClient client = milter.client()) {
            client.negotiate(new Command.OptionNegotiation(6, Actions.ADD_HEADERS, ProtocolFlags.ALL));
            EndOfMessageResult eom = Exchange.send(client, Envelope.of("a@b.example", List.of("c@d.example")), MESSAGE)
                    .endOfMessage().orElseThrow();
            assertThat(eom.modifications()).isEmpty();
            assertThat(eom.finalReply()).isEqualTo(new Response.ReplyCode("451 4.3.0 internal error in direct-milter; try again later"));
        }
    }

    @Test
    void rejectsWithTheHandlersOwnWords() throws IOException {
        MessageHandler handler = TestHandlers.rejectSendersFrom("untrusted.example", SmtpReply.reject("5.7.1", "untrusted sender (100% sure)"));
        try (RunningMilter milter = new RunningMilter(handler, settings()); MilterClient client = milter.client()) {
            Exchange.Outcome outcome = Exchange.send(client, Envelope.of("eve@untrusted.example", List.of("bob@hisp.example")), MESSAGE);
            assertThat(outcome.refusal()).isPresent();
            assertThat(outcome.refusal().get().reply()).isEqualTo(new Response.ReplyCode("550 5.7.1 untrusted sender (100%% sure)"));
            assertThat(outcome.endOfMessage()).isEmpty();
            // the same connection goes on with the next message
            Exchange.Outcome next = Exchange.send(client, Envelope.of("alice@hisp.example", List.of("bob@hisp.example")), MESSAGE);
            assertThat(next.endOfMessage().orElseThrow().finalReply()).isInstanceOf(Response.Accept.class);
        }
    }

    @Test
    void aRefusedRecipientIsNotPartOfTheMessage() throws IOException {
        Recorder recorder = new Recorder();
        try (RunningMilter milter = new RunningMilter(recorder, settings()); MilterClient client = milter.client()) {
            Exchange.Outcome outcome = Exchange.send(client,
                    Envelope.of("alice@hisp.example", List.of("x@refused.example", "bob@partner.example")), MESSAGE);
            assertThat(outcome.steps().get(3).reply()).isEqualTo(new Response.ReplyCode("550 5.7.1 no certificate for x@refused.example"));
            assertThat(outcome.endOfMessage()).isPresent();
        }
        assertThat(recorder.events).contains("eom rcpts=[bob@partner.example] auth=- qid=-");
    }

    @Test
    void macrosBelongToTheirMessageOnly() throws IOException {
        Recorder recorder = new Recorder();
        try (RunningMilter milter = new RunningMilter(recorder, settings()); MilterClient client = milter.client()) {
            Envelope first = Envelope.of("alice@hisp.example", List.of("bob@partner.example")).withMacros(Map.of(
                    'C', Map.of("j", "mta.hisp.example"),
                    'M', Map.of("{auth_authen}", "alice"),
                    'E', Map.of("i", "QID1")));
            Exchange.send(client, first, MESSAGE);
            // second message on the same connection, without CONNECT again: reuse by sending MAIL directly
            client.macros('M', Map.of("i", "QID2"));
            assertThat(client.mail("<carol@hisp.example>")).isInstanceOf(Response.Continue.class);
            client.recipient("<bob@partner.example>");
            client.endOfHeaders();
            client.body(new ByteArrayInputStream("x\r\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(client.endOfMessage().finalReply()).isInstanceOf(Response.Accept.class);
        }
        assertThat(recorder.events).containsExactly(
                "connect localhost 127.0.0.1 j=mta.hisp.example",
                "mail alice@hisp.example auth=alice helo=localhost",
                "rcpt bob@partner.example",
                "eom rcpts=[bob@partner.example] auth=alice qid=QID1",
                "mail carol@hisp.example auth=- helo=localhost",
                "rcpt bob@partner.example",
                "eom rcpts=[bob@partner.example] auth=- qid=QID2");
    }

    @Test
    void quitNewConnectionStartsAFreshSmtpSessionOnTheSameSocket() throws IOException {
        Recorder recorder = new Recorder();
        try (RunningMilter milter = new RunningMilter(recorder, settings()); MilterClient client = milter.client()) {
            Exchange.send(client, Envelope.of("a@hisp.example", List.of("b@partner.example"))
                    .withMacros(Map.of('C', Map.of("j", "first"))), MESSAGE);
            client.quitNewConnection();
            Exchange.send(client, new Envelope("second.example", "192.0.2.9", "second", "c@hisp.example",
                    List.of("d@partner.example"), Map.of()), MESSAGE);
        }
        assertThat(recorder.events).contains("connect second.example 192.0.2.9 j=-", "mail c@hisp.example auth=- helo=second");
    }

    @Test
    void keepsTheMtaWaitingWithProgressWhileTheHandlerWorks() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        MessageHandler slow = message -> {
            release.await(30, TimeUnit.SECONDS);
            return EndOfMessage.of(Verdict.ACCEPT);
        };
        SessionSettings settings = settings().withProgressInterval(Duration.ofMillis(20));
        try (RunningMilter milter = new RunningMilter(slow, settings); MilterClient client = milter.client()) {
            startMessage(client);
            client.sendRaw(CommandCodec.encode(new Command.EndOfMessage(new byte[0])));
            assertThat(client.read()).isInstanceOf(Response.Progress.class);
            assertThat(client.read()).isInstanceOf(Response.Progress.class);
            release.countDown();
            Response reply;
            do {
                reply = client.read();
            } while (reply instanceof Response.Progress);
            assertThat(reply).isInstanceOf(Response.Accept.class);
        }
    }

    @Test
    void tempfailsWhenTheHandlerTakesTooLong() throws IOException {
        CountDownLatch never = new CountDownLatch(1);
        MessageHandler stuck = message -> {
            never.await();
            return EndOfMessage.of(Verdict.ACCEPT);
        };
        SessionSettings settings = settings().withProgressInterval(Duration.ofMillis(20)).withEndOfMessageTimeout(Duration.ofMillis(200));
        try (RunningMilter milter = new RunningMilter(stuck, settings); MilterClient client = milter.client()) {
            EndOfMessageResult eom = Exchange.send(client, Envelope.of("a@b.example", List.of("c@d.example")), MESSAGE)
                    .endOfMessage().orElseThrow();
            assertThat(eom.finalReply()).isEqualTo(new Response.ReplyCode(
                    "451 4.3.0 direct-milter timed out processing the message; try again later"));
            assertThat(eom.progressCount()).isGreaterThan(0);
        }
    }

    @Test
    void aReplacementBodyFinishedAfterTheTimeoutIsStillReleased() throws Exception {
        CountDownLatch timedOut = new CountDownLatch(1);
        ReleasedBody body = new ReleasedBody();
        MessageHandler late = message -> {
            try {
                timedOut.await(); // interrupted by the session's cancel: finish anyway, as slow crypto would
            } catch (InterruptedException e) {
                // carry on
            }
            return EndOfMessage.accept(new Modification.ReplaceBody(body));
        };
        SessionSettings settings = settings().withProgressInterval(Duration.ofMillis(20)).withEndOfMessageTimeout(Duration.ofMillis(200));
        try (RunningMilter milter = new RunningMilter(late, settings); MilterClient client = milter.client()) {
            EndOfMessageResult eom = Exchange.send(client, Envelope.of("a@b.example", List.of("c@d.example")), MESSAGE)
                    .endOfMessage().orElseThrow();
            assertThat(eom.finalReply().toString()).contains("451 4.3.0");
            timedOut.countDown();
            assertThat(body.released.await(10, TimeUnit.SECONDS)).as("the abandoned body's temporary file is freed").isTrue();
        }
    }

    @Test
    void aFailingHandlerBecomesATempfailNeverAHang() throws IOException {
        MessageHandler broken = new MessageHandler() {
            @Override
            public Verdict recipient(Transaction t, EnvelopeAddress r) {
                throw new IllegalStateException("bug at RCPT");
            }

            @Override
            public EndOfMessage endOfMessage(Message message) {
                throw new IllegalStateException("bug at EOM");
            }
        };
        try (RunningMilter milter = new RunningMilter(broken, settings()); MilterClient client = milter.client()) {
            client.negotiate();
            client.connect("h", '4', 25, "127.0.0.1");
            client.helo("h");
            client.mail("<a@b.example>");
            assertThat(client.recipient("<c@d.example>")).isEqualTo(new Response.ReplyCode("451 4.3.0 internal error in direct-milter; try again later"));
            client.endOfHeaders();
            assertThat(client.endOfMessage().finalReply()).isEqualTo(new Response.ReplyCode("451 4.3.0 internal error in direct-milter; try again later"));
        }
    }

    @Test
    void spoolsLargeBodiesToAPrivateFileAndRemovesIt() throws Exception {
        List<Boolean> spooled = Collections.synchronizedList(new ArrayList<>());
        List<String> filesDuring = Collections.synchronizedList(new ArrayList<>());
        MessageHandler handler = message -> {
            spooled.add(((SpooledBody) message.body()).spooled());
            try (var files = Files.list(spool)) {
                files.forEach(f -> filesDuring.add(f.getFileName() + " " + permissions(f)));
            }
            byte[] whole;
            try (InputStream in = message.openStream()) {
                whole = in.readAllBytes();
            }
            return whole.length == message.size() ? EndOfMessage.of(Verdict.ACCEPT) : EndOfMessage.of(Verdict.DISCARD);
        };
        byte[] body = new byte[300_000];
        java.util.Arrays.fill(body, (byte) 'x');
        byte[] message = concat("Subject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII), body);
        try (RunningMilter milter = new RunningMilter(handler, settings().withSpool(100_000, spool)); MilterClient client = milter.client()) {
            EndOfMessageResult eom = Exchange.send(client, Envelope.of("a@b.example", List.of("c@d.example")), message)
                    .endOfMessage().orElseThrow();
            assertThat(eom.finalReply()).isInstanceOf(Response.Accept.class);
        }
        assertThat(spooled).containsExactly(true);
        assertThat(filesDuring).singleElement().asString().startsWith(org.directmilter.crypto.spool.Spool.FILE_PREFIX + ProcessHandle.current().pid() + "-").endsWith("rw-------");
        try (var files = Files.list(spool)) {
            assertThat(files).as("spool file removed after the message").isEmpty();
        }
    }

    @Test
    void badInputEndsThatConnectionAndTheNextOneWorks() throws Exception {
        ServerSettings quick = new ServerSettings(16, Duration.ofMillis(300), Duration.ofMillis(300),
                ServerSettings.defaults().socketMode(), ServerSettings.defaults().socketGroup());
        try (RunningMilter milter = new RunningMilter(new PassThroughHandler(), settings(), quick)) {
            // a length far above the cap
            assertClosedAfter(milter, new byte[] {0x7f, 0, 0, 0, 'B'});
            // a zero-length frame
            assertClosedAfter(milter, new byte[] {0, 0, 0, 0});
            // an unknown command
            assertClosedAfter(milter, frame(new Frame((byte) 'Z', new byte[0])));
            // a command before option negotiation
            assertClosedAfter(milter, frame(CommandCodec.encode(new Command.Helo("x"))));
            // a truncated packet, then silence: the read timeout ends it
            assertClosedAfter(milter, new byte[] {0, 0, 0, 20, 'H', 'a'});
            // a client that never speaks: the idle timeout ends it
            assertClosedAfter(milter, new byte[0]);
            // dropped in the middle of a body
            try (MilterClient client = milter.client()) {
                startMessage(client);
                client.sendRaw(CommandCodec.encode(new Command.BodyChunk(new byte[1000])));
            }
            // and the daemon still serves
            try (MilterClient client = milter.client()) {
                EndOfMessageResult eom = Exchange.send(client, Envelope.of("a@b.example", List.of("c@d.example")), MESSAGE)
                        .endOfMessage().orElseThrow();
                assertThat(eom.finalReply()).isInstanceOf(Response.Accept.class);
            }
        }
    }

    private static void assertClosedAfter(RunningMilter milter, byte[] bytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", milter.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            assertThat(socket.getInputStream().read()).as("connection closed by the milter").isEqualTo(-1);
        }
    }

    private static void startMessage(MilterClient client) throws IOException {
        client.negotiate();
        client.connect("h", '4', 25, "127.0.0.1");
        client.helo("h");
        client.mail("<a@b.example>");
        client.recipient("<c@d.example>");
        client.endOfHeaders();
    }

    private static Response readResponse(InputStream in) throws IOException {
        return org.directmilter.milter.protocol.ResponseCodec.decode(new org.directmilter.milter.protocol.FrameReader(in, 1 << 20).read());
    }

    private static byte[] frame(Frame frame) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(out);
        writer.write(frame);
        writer.flush();
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String permissions(Path f) {
        try {
            return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
        } catch (IOException e) {
            return "?";
        }
    }
}
