package org.directmilter.milter.protocol;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

/** Turns {@link Response}s into frames (the milter side) and frames into responses (the MTA side). */
public final class ResponseCodec {
    private ResponseCodec() {
    }

    public static Frame encode(Response response) {
        Payload.Builder b = new Payload.Builder();
        response.writePayload(b);
        return new Frame((byte) response.code(), b.build());
    }

    public static Response decode(Frame frame) throws MilterProtocolException {
        char code = frame.codeChar();
        Payload p = new Payload(frame.payload(), "'" + code + "' reply");
        Response response = switch (code) {
            case 'O' -> {
                int version = p.uint32();
                int actions = p.uint32();
                int flags = p.uint32();
                Map<MacroStage, String> macros = new EnumMap<>(MacroStage.class);
                while (!p.atEnd()) {
                    int index = p.uint32();
                    String names = p.stringZ();
                    macros.put(MacroStage.forListIndex(index).orElseThrow(() ->
                            new MilterProtocolException("macro list for unknown stage " + index)), names);
                }
                yield new Response.OptionNegotiation(version, actions, flags, macros);
            }
            case 'c' -> new Response.Continue();
            case 'a' -> new Response.Accept();
            case 'r' -> new Response.Reject();
            case 't' -> new Response.Tempfail();
            case 'd' -> new Response.Discard();
            case 'y' -> new Response.ReplyCode(p.stringZ());
            case 's' -> new Response.Skip();
            case '4' -> new Response.Shutdown();
            case 'f' -> new Response.ConnectionFail();
            case 'p' -> new Response.Progress();
            case 'q' -> new Response.Quarantine(p.stringZ());
            case 'h' -> new Response.AddHeader(ascii(p.bytesZ()), p.bytesZ());
            case 'i' -> new Response.InsertHeader(p.uint32(), ascii(p.bytesZ()), p.bytesZ());
            case 'm' -> new Response.ChangeHeader(p.uint32(), ascii(p.bytesZ()), p.bytesZ());
            case 'b' -> new Response.ReplaceBody(p.rest());
            case '+' -> new Response.AddRecipient(p.stringZ());
            case '2' -> new Response.AddRecipientWithArgs(p.stringZ(), p.atEnd() ? "" : p.stringZ());
            case '-' -> new Response.DeleteRecipient(p.stringZ());
            case 'e' -> new Response.ChangeFrom(p.stringZ(), p.atEnd() ? "" : p.stringZ());
            default -> throw new MilterProtocolException("unknown reply byte 0x"
                    + Integer.toHexString(frame.code() & 0xff));
        };
        p.end();
        return response;
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
