package org.directmilter.milter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CodecTest {

    static Stream<Command> commands() {
        Map<String, String> macros = new LinkedHashMap<>();
        macros.put("i", "4F2A1");
        macros.put("{auth_authen}", "alice");
        return Stream.of(
                new Command.OptionNegotiation(6, Actions.ALL, ProtocolFlags.ALL),
                new Command.Macros('M', macros),
                new Command.Connect("client.example", '4', 40312, "192.0.2.7"),
                new Command.Connect("client6.example", '6', 25, "2001:db8::1"),
                new Command.Connect("localhost", 'L', 0, "/run/x.sock"),
                new Command.Connect("unknown", 'U', 0, ""),
                new Command.Helo("client.example"),
                new Command.Mail("<alice@hisp.example>", List.of("BODY=8BITMIME", "SIZE=1234")),
                new Command.Recipient("<bob@partner.example>", List.of()),
                new Command.Data(),
                new Command.Header("Subject".getBytes(StandardCharsets.US_ASCII), " caf\u00e9\n\tfolded".getBytes(StandardCharsets.UTF_8)),
                new Command.EndOfHeaders(),
                new Command.BodyChunk("line\r\n".getBytes(StandardCharsets.US_ASCII)),
                new Command.EndOfMessage(new byte[0]),
                new Command.Abort(),
                new Command.Quit(),
                new Command.QuitNewConnection(),
                new Command.Unknown("XYZZY".getBytes(StandardCharsets.US_ASCII)));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandRoundTrips(Command command) throws IOException {
        Frame frame = CommandCodec.encode(command);
        Frame again = CommandCodec.encode(CommandCodec.decode(throughTheWire(frame)));
        assertThat(again).isEqualTo(frame);
        assertThat(CommandCodec.decode(frame).getClass()).isEqualTo(command.getClass());
    }

    static Stream<Response> responses() {
        Map<MacroStage, String> macros = new EnumMap<>(MacroStage.class);
        macros.put(MacroStage.CONNECT, "j {daemon_name}");
        macros.put(MacroStage.END_OF_MESSAGE, "i");
        return Stream.of(
                new Response.OptionNegotiation(6, Actions.ADD_HEADERS | Actions.CHANGE_BODY, ProtocolFlags.NO_REPLY_HEADER, macros),
                new Response.OptionNegotiation(2, 0, 0, Map.of()),
                new Response.Continue(), new Response.Accept(), new Response.Reject(), new Response.Tempfail(),
                new Response.Discard(), new Response.ReplyCode("550 5.7.1 untrusted sender"), new Response.Skip(),
                new Response.Shutdown(), new Response.ConnectionFail(), new Response.Progress(),
                new Response.Quarantine("suspicious"),
                new Response.AddHeader("X-Direct", " yes".getBytes(StandardCharsets.US_ASCII)),
                new Response.InsertHeader(0, "X-Top", "first".getBytes(StandardCharsets.US_ASCII)),
                new Response.ChangeHeader(2, "Received", new byte[0]),
                new Response.ReplaceBody(new byte[65_535]),
                new Response.AddRecipient("<carol@hisp.example>"),
                new Response.AddRecipientWithArgs("<carol@hisp.example>", "NOTIFY=NEVER"),
                new Response.DeleteRecipient("<bob@partner.example>"),
                new Response.ChangeFrom("<>", ""),
                new Response.ChangeFrom("<bounce@hisp.example>", "RET=HDRS"));
    }

    @ParameterizedTest
    @MethodSource("responses")
    void everyResponseRoundTrips(Response response) throws IOException {
        Frame frame = ResponseCodec.encode(response);
        assertThat(ResponseCodec.encode(ResponseCodec.decode(throughTheWire(frame)))).isEqualTo(frame);
        assertThat(ResponseCodec.decode(frame).getClass()).isEqualTo(response.getClass());
    }

    @Test
    void decodesFieldsAsSent() throws IOException {
        Command.Connect c = (Command.Connect) CommandCodec.decode(CommandCodec.encode(
                new Command.Connect("h", '4', 2525, "127.0.0.1")));
        assertThat(c).isEqualTo(new Command.Connect("h", '4', 2525, "127.0.0.1"));
        Command.Mail m = (Command.Mail) CommandCodec.decode(CommandCodec.encode(new Command.Mail("<a@b>", List.of("SIZE=1"))));
        assertThat(m.sender()).isEqualTo("<a@b>");
        assertThat(m.parameters()).containsExactly("SIZE=1");
        Response.OptionNegotiation o = (Response.OptionNegotiation) ResponseCodec.decode(ResponseCodec.encode(
                new Response.OptionNegotiation(6, 3, 0x80, Map.of(MacroStage.MAIL, "i {auth_authen}"))));
        assertThat(o.macroRequests()).containsEntry(MacroStage.MAIL, "i {auth_authen}");
    }

    @Test
    void headerBytesAreKeptExactly() throws IOException {
        byte[] latin1 = {' ', 'c', 'a', 'f', (byte) 0xe9, '\n', '\t', 'x'};
        Command.Header h = (Command.Header) CommandCodec.decode(CommandCodec.encode(
                new Command.Header("Subject".getBytes(StandardCharsets.US_ASCII), latin1)));
        assertThat(h.value()).isEqualTo(latin1);
    }

    @Test
    void refusesUnknownCommandsAndShortPackets() {
        assertThatThrownBy(() -> CommandCodec.decode(new Frame((byte) 'Z', new byte[0])))
                .isInstanceOf(MilterProtocolException.class).hasMessageContaining("unknown command byte 0x5a");
        assertThatThrownBy(() -> CommandCodec.decode(new Frame((byte) 'O', new byte[8])))
                .isInstanceOf(MilterProtocolException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> CommandCodec.decode(new Frame((byte) 'H', "no-nul".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(MilterProtocolException.class).hasMessageContaining("not NUL-terminated");
        assertThatThrownBy(() -> CommandCodec.decode(new Frame((byte) 'M', new byte[0])))
                .isInstanceOf(MilterProtocolException.class).hasMessageContaining("without a sender");
        assertThatThrownBy(() -> CommandCodec.decode(new Frame((byte) 'N', new byte[] {1})))
                .isInstanceOf(MilterProtocolException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> ResponseCodec.decode(new Frame((byte) 'Z', new byte[0])))
                .isInstanceOf(MilterProtocolException.class).hasMessageContaining("unknown reply byte");
    }

    @Test
    void frameReaderRefusesBadFramesBeforeAllocating() {
        assertThatThrownBy(() -> reader(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'B'}).read())
                .isInstanceOf(MilterProtocolException.class).hasMessageContaining("exceeds the limit of 65536 bytes");
        assertThatThrownBy(() -> reader(new byte[] {0, 0, 0, 0}).read())
                .isInstanceOf(MilterProtocolException.class).hasMessageContaining("zero-length frame");
        assertThatThrownBy(() -> reader(new byte[] {0, 0, 0, 9, 'H', 'a'}).read())
                .isInstanceOf(MilterProtocolException.class).hasMessageContaining("truncated after 1 of 8 bytes");
        assertThatThrownBy(() -> reader(new byte[] {0, 0}).read())
                .isInstanceOf(MilterProtocolException.class).hasMessageContaining("frame length");
    }

    @Test
    void frameReaderSeesACleanEndBetweenFrames() throws IOException {
        assertThat(reader(new byte[0]).read()).isNull();
        FrameReader r = reader(new byte[] {0, 0, 0, 1, 'N'});
        assertThat(r.read()).isEqualTo(new Frame((byte) 'N', new byte[0]));
        assertThat(r.read()).isNull();
    }

    @Test
    void negotiationNeverAsksForMoreThanOffered() throws MilterProtocolException {
        Negotiation wanted = new Negotiation(6, Actions.ALL,
                ProtocolFlags.NO_DATA | ProtocolFlags.NO_REPLY_HEADER | ProtocolFlags.HEADER_LEADING_SPACE,
                Map.of(MacroStage.MAIL, "{auth_authen}"));
        Negotiation agreed = wanted.agree(new Command.OptionNegotiation(6,
                Actions.ADD_HEADERS | Actions.CHANGE_BODY, ProtocolFlags.NO_REPLY_HEADER));
        assertThat(agreed.actions()).isEqualTo(Actions.ADD_HEADERS | Actions.CHANGE_BODY);
        assertThat(agreed.protocolFlags()).isEqualTo(ProtocolFlags.NO_REPLY_HEADER);
        assertThat(agreed.macroRequests()).as("no SETSYMLIST offered, so no macro lists").isEmpty();

        Negotiation older = wanted.agree(new Command.OptionNegotiation(4, Actions.ALL, ProtocolFlags.ALL));
        assertThat(older.version()).isEqualTo(4);
        Negotiation full = wanted.agree(new Command.OptionNegotiation(6, Actions.ALL, ProtocolFlags.ALL));
        assertThat(full.macroRequests()).containsEntry(MacroStage.MAIL, "{auth_authen}");
        assertThat(full.allows(Actions.SET_MACRO_LIST)).isTrue();
        assertThatThrownBy(() -> wanted.agree(new Command.OptionNegotiation(1, Actions.ALL, ProtocolFlags.ALL)))
                .hasMessageContaining("version 2 or later");
    }

    @Test
    void describesFlagsForLogs() {
        assertThat(Actions.describe(Actions.ADD_HEADERS | Actions.CHANGE_BODY)).isEqualTo("ADDHDRS|CHGBODY");
        assertThat(ProtocolFlags.describe(ProtocolFlags.NO_REPLY_HEADER | ProtocolFlags.HEADER_LEADING_SPACE))
                .isEqualTo("NR_HDR|HDR_LEADSPC");
        assertThat(ProtocolFlags.describe(0)).isEqualTo("none");
    }

    private static FrameReader reader(byte[] bytes) {
        return new FrameReader(new ByteArrayInputStream(bytes), 65_536);
    }

    private static Frame throughTheWire(Frame frame) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(out);
        writer.write(frame);
        writer.flush();
        return new FrameReader(new ByteArrayInputStream(out.toByteArray()), 1 << 20).read();
    }
}
