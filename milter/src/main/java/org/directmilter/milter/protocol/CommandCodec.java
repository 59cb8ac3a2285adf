package org.directmilter.milter.protocol;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns frames into {@link Command}s (the milter side) and commands into frames (the MTA side). */
public final class CommandCodec {
    /**
     * Commands whose payload must end where its last field does; the others end in a list or raw bytes,
     * and an OPTNEG offer may carry fields newer MTAs add.
     */
    private static final String FIXED_PAYLOAD = "CHLNTAQKU";

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
        if (FIXED_PAYLOAD.indexOf(code) >= 0) {
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
        command.writePayload(b);
        return new Frame((byte) command.code(), b.build());
    }

    /** A header name as text; RFC 5322 field names are printable ASCII, Latin-1 keeps any byte. */
    public static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
