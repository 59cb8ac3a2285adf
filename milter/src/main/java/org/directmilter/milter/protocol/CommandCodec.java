package org.directmilter.milter.protocol;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns frames into {@link Command}s (the milter side) and commands into frames (the MTA side). */
public final class CommandCodec {
    private CommandCodec() {
    }

    public static Command decode(Frame frame) throws MilterProtocolException {
        char code = frame.codeChar();
        Payload p = new Payload(frame.payload(), "'" + code + "' command");
        Command command = switch (code) {
            case 'O' -> new Command.OptionNegotiation(p.uint32(), p.uint32(), p.uint32());
            case 'D' -> decodeMacros(p);
            case 'C' -> decodeConnect(p);
            case 'H' -> new Command.Helo(p.stringZ());
            case 'M' -> {
                List<String> args = p.stringsZ();
                if (args.isEmpty()) {
                    throw new MilterProtocolException("'M' command without a sender");
                }
                yield new Command.Mail(args.get(0), List.copyOf(args.subList(1, args.size())));
            }
            case 'R' -> {
                List<String> args = p.stringsZ();
                if (args.isEmpty()) {
                    throw new MilterProtocolException("'R' command without a recipient");
                }
                yield new Command.Recipient(args.get(0), List.copyOf(args.subList(1, args.size())));
            }
            case 'T' -> new Command.Data();
            case 'L' -> new Command.Header(p.bytesZ(), p.bytesZ());
            case 'N' -> new Command.EndOfHeaders();
            case 'B' -> new Command.BodyChunk(p.rest());
            case 'E' -> new Command.EndOfMessage(p.rest());
            case 'A' -> new Command.Abort();
            case 'Q' -> new Command.Quit();
            case 'K' -> new Command.QuitNewConnection();
            case 'U' -> new Command.Unknown(p.atEnd() ? new byte[0] : p.bytesZ());
            default -> throw new MilterProtocolException("unknown command byte 0x"
                    + Integer.toHexString(frame.code() & 0xff));
        };
        if (!(command instanceof Command.BodyChunk) && !(command instanceof Command.EndOfMessage)
                && !(command instanceof Command.Macros) && !(command instanceof Command.Mail)
                && !(command instanceof Command.Recipient) && !(command instanceof Command.OptionNegotiation)) {
            p.end();
        }
        return command;
    }

    private static Command decodeMacros(Payload p) throws MilterProtocolException {
        char stage = (char) (p.byteValue() & 0xff);
        List<String> pairs = p.stringsZ();
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            values.put(pairs.get(i), pairs.get(i + 1));
        }
        return new Command.Macros(stage, values);
    }

    private static Command decodeConnect(Payload p) throws MilterProtocolException {
        String hostname = p.stringZ();
        char family = (char) p.byteValue();
        if (family == 'U') {
            return new Command.Connect(hostname, family, 0, "");
        }
        int port = p.uint16();
        return new Command.Connect(hostname, family, port, p.stringZ());
    }

    public static Frame encode(Command command) {
        Payload.Builder b = new Payload.Builder();
        char code;
        if (command instanceof Command.OptionNegotiation o) {
            b.uint32(o.version()).uint32(o.actions()).uint32(o.protocolFlags());
            code = 'O';
        } else if (command instanceof Command.Macros m) {
            b.byteValue(m.stage());
            m.values().forEach((k, v) -> b.stringZ(k).stringZ(v));
            code = 'D';
        } else if (command instanceof Command.Connect c) {
            b.stringZ(c.hostname()).byteValue(c.family());
            if (c.family() != 'U') {
                b.uint16(c.port()).stringZ(c.address());
            }
            code = 'C';
        } else if (command instanceof Command.Helo h) {
            b.stringZ(h.name());
            code = 'H';
        } else if (command instanceof Command.Mail m) {
            b.stringZ(m.sender());
            m.parameters().forEach(b::stringZ);
            code = 'M';
        } else if (command instanceof Command.Recipient r) {
            b.stringZ(r.recipient());
            r.parameters().forEach(b::stringZ);
            code = 'R';
        } else if (command instanceof Command.Data) {
            code = 'T';
        } else if (command instanceof Command.Header h) {
            b.bytesZ(h.name()).bytesZ(h.value());
            code = 'L';
        } else if (command instanceof Command.EndOfHeaders) {
            code = 'N';
        } else if (command instanceof Command.BodyChunk c) {
            b.bytes(c.chunk());
            code = 'B';
        } else if (command instanceof Command.EndOfMessage e) {
            b.bytes(e.chunk());
            code = 'E';
        } else if (command instanceof Command.Abort) {
            code = 'A';
        } else if (command instanceof Command.Quit) {
            code = 'Q';
        } else if (command instanceof Command.QuitNewConnection) {
            code = 'K';
        } else if (command instanceof Command.Unknown u) {
            b.bytesZ(u.line());
            code = 'U';
        } else {
            throw new IllegalArgumentException("not a command: " + command);
        }
        return new Frame((byte) code, b.build());
    }

    /** A header name as text; RFC 5322 field names are printable ASCII, Latin-1 keeps any byte. */
    public static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
