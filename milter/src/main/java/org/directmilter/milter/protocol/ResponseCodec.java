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
        char code;
        if (response instanceof Response.OptionNegotiation o) {
            b.uint32(o.version()).uint32(o.actions()).uint32(o.protocolFlags());
            o.macroRequests().forEach((stage, names) -> b.uint32(stage.listIndex()).stringZ(names));
            code = 'O';
        } else if (response instanceof Response.Continue) {
            code = 'c';
        } else if (response instanceof Response.Accept) {
            code = 'a';
        } else if (response instanceof Response.Reject) {
            code = 'r';
        } else if (response instanceof Response.Tempfail) {
            code = 't';
        } else if (response instanceof Response.Discard) {
            code = 'd';
        } else if (response instanceof Response.ReplyCode r) {
            b.stringZ(r.text());
            code = 'y';
        } else if (response instanceof Response.Skip) {
            code = 's';
        } else if (response instanceof Response.Shutdown) {
            code = '4';
        } else if (response instanceof Response.ConnectionFail) {
            code = 'f';
        } else if (response instanceof Response.Progress) {
            code = 'p';
        } else if (response instanceof Response.Quarantine q) {
            b.stringZ(q.reason());
            code = 'q';
        } else if (response instanceof Response.AddHeader h) {
            b.stringZ(h.name()).bytesZ(h.value());
            code = 'h';
        } else if (response instanceof Response.InsertHeader h) {
            b.uint32(h.index()).stringZ(h.name()).bytesZ(h.value());
            code = 'i';
        } else if (response instanceof Response.ChangeHeader h) {
            b.uint32(h.index()).stringZ(h.name()).bytesZ(h.value());
            code = 'm';
        } else if (response instanceof Response.ReplaceBody r) {
            b.bytes(r.chunk());
            code = 'b';
        } else if (response instanceof Response.AddRecipient r) {
            b.stringZ(r.recipient());
            code = '+';
        } else if (response instanceof Response.AddRecipientWithArgs r) {
            b.stringZ(r.recipient()).stringZ(r.parameters());
            code = '2';
        } else if (response instanceof Response.DeleteRecipient r) {
            b.stringZ(r.recipient());
            code = '-';
        } else if (response instanceof Response.ChangeFrom c) {
            b.stringZ(c.sender());
            if (!c.parameters().isEmpty()) {
                b.stringZ(c.parameters());
            }
            code = 'e';
        } else {
            throw new IllegalArgumentException("not a response: " + response);
        }
        return new Frame((byte) code, b.build());
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
