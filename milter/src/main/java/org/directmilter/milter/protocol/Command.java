package org.directmilter.milter.protocol;

import java.util.List;
import java.util.Map;

/**
 * A packet from the MTA (SMFIC_*). Byte arrays stay as received: header and body bytes are what
 * signatures cover, so they are never decoded and re-encoded. Every record names its own wire code and
 * writes its own payload, so a new command cannot be added without both.
 */
public sealed interface Command {

    /** The SMFIC_* code byte. */
    char code();

    /** Appends the payload after the code byte; most commands have none. */
    default void writePayload(Payload.Builder out) {
    }

    /** 'O': the MTA's offer — protocol version, actions it allows, protocol steps it can skip. */
    record OptionNegotiation(int version, int actions, int protocolFlags) implements Command {
        @Override
        public char code() {
            return 'O';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.uint32(version).uint32(actions).uint32(protocolFlags);
        }
    }

    /** 'D': macros for the command that follows. */
    record Macros(char stage, Map<String, String> values) implements Command {
        @Override
        public char code() {
            return 'D';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.byteValue(stage);
            values.forEach((k, v) -> out.stringZ(k).stringZ(v));
        }
    }

    /** 'C': client host name, address family ('4', '6', 'L', 'U'), port and address. */
    record Connect(String hostname, char family, int port, String address) implements Command {
        @Override
        public char code() {
            return 'C';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.stringZ(hostname).byteValue(family);
            if (family != 'U') {
                out.uint16(port).stringZ(address);
            }
        }
    }

    /** 'H'. */
    record Helo(String name) implements Command {
        @Override
        public char code() {
            return 'H';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.stringZ(name);
        }
    }

    /** 'M': the sender in angle brackets, then ESMTP parameters. */
    record Mail(String sender, List<String> parameters) implements Command {
        @Override
        public char code() {
            return 'M';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.stringZ(sender);
            parameters.forEach(out::stringZ);
        }
    }

    /** 'R': one recipient in angle brackets, then ESMTP parameters. */
    record Recipient(String recipient, List<String> parameters) implements Command {
        @Override
        public char code() {
            return 'R';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.stringZ(recipient);
            parameters.forEach(out::stringZ);
        }
    }

    /** 'T'. */
    record Data() implements Command {
        @Override
        public char code() {
            return 'T';
        }
    }

    /** 'L': name and value bytes exactly as the MTA sent them (continuation lines LF-separated). */
    record Header(byte[] name, byte[] value) implements Command {
        @Override
        public char code() {
            return 'L';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.bytesZ(name).bytesZ(value);
        }
    }

    /** 'N'. */
    record EndOfHeaders() implements Command {
        @Override
        public char code() {
            return 'N';
        }
    }

    /** 'B': a body chunk in CRLF form. */
    record BodyChunk(byte[] chunk) implements Command {
        @Override
        public char code() {
            return 'B';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.bytes(chunk);
        }
    }

    /** 'E': end of body, possibly carrying a last chunk. Modifications may answer only this. */
    record EndOfMessage(byte[] chunk) implements Command {
        @Override
        public char code() {
            return 'E';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.bytes(chunk);
        }
    }

    /** 'A': forget the current message; no reply. */
    record Abort() implements Command {
        @Override
        public char code() {
            return 'A';
        }
    }

    /** 'Q': close the connection; no reply. */
    record Quit() implements Command {
        @Override
        public char code() {
            return 'Q';
        }
    }

    /** 'K': this SMTP session is over, another follows on the same connection; no reply. */
    record QuitNewConnection() implements Command {
        @Override
        public char code() {
            return 'K';
        }
    }

    /** 'U': an SMTP command the MTA did not recognise. */
    record Unknown(byte[] line) implements Command {
        @Override
        public char code() {
            return 'U';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.bytesZ(line);
        }
    }
}
