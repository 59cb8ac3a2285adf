package org.directmilter.milter.protocol;

import java.util.List;
import java.util.Map;

/**
 * A packet from the MTA (SMFIC_*). Byte arrays stay as received: header and body bytes are what
 * signatures cover, so they are never decoded and re-encoded.
 */
public sealed interface Command {

    /** 'O': the MTA's offer — protocol version, actions it allows, protocol steps it can skip. */
    record OptionNegotiation(int version, int actions, int protocolFlags) implements Command {
    }

    /** 'D': macros for the command that follows. */
    record Macros(char stage, Map<String, String> values) implements Command {
    }

    /** 'C': client host name, address family ('4', '6', 'L', 'U'), port and address. */
    record Connect(String hostname, char family, int port, String address) implements Command {
    }

    /** 'H'. */
    record Helo(String name) implements Command {
    }

    /** 'M': the sender in angle brackets, then ESMTP parameters. */
    record Mail(String sender, List<String> parameters) implements Command {
    }

    /** 'R': one recipient in angle brackets, then ESMTP parameters. */
    record Recipient(String recipient, List<String> parameters) implements Command {
    }

    /** 'T'. */
    record Data() implements Command {
    }

    /** 'L': name and value bytes exactly as the MTA sent them (continuation lines LF-separated). */
    record Header(byte[] name, byte[] value) implements Command {
    }

    /** 'N'. */
    record EndOfHeaders() implements Command {
    }

    /** 'B': a body chunk in CRLF form. */
    record BodyChunk(byte[] chunk) implements Command {
    }

    /** 'E': end of body, possibly carrying a last chunk. Modifications may answer only this. */
    record EndOfMessage(byte[] chunk) implements Command {
    }

    /** 'A': forget the current message; no reply. */
    record Abort() implements Command {
    }

    /** 'Q': close the connection; no reply. */
    record Quit() implements Command {
    }

    /** 'K': this SMTP session is over, another follows on the same connection; no reply. */
    record QuitNewConnection() implements Command {
    }

    /** 'U': an SMTP command the MTA did not recognise. */
    record Unknown(byte[] line) implements Command {
    }
}
