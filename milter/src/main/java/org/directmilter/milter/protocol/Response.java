package org.directmilter.milter.protocol;

import java.util.Map;

/** A packet from the milter (SMFIR_*): a reply that ends a command, or an end-of-message change. */
public sealed interface Response {

    /** The SMFIR_* code byte; every record names its own, so a new one cannot be sent without it. */
    char code();

    /** Appends the payload after the code byte; most replies have none. */
    default void writePayload(Payload.Builder out) {
    }

    /** True for the packets that end a command (accept/reject family); false for changes and PROGRESS. */
    default boolean isFinal() {
        return true;
    }

    /** 'O': what the milter takes of the MTA's offer, and the macros it asks for per stage. */
    record OptionNegotiation(int version, int actions, int protocolFlags, Map<MacroStage, String> macroRequests)
            implements Response {
        @Override
        public char code() {
            return 'O';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.uint32(version).uint32(actions).uint32(protocolFlags);
            macroRequests.forEach((stage, names) -> out.uint32(stage.listIndex()).stringZ(names));
        }
    }

    /** 'c'. */
    record Continue() implements Response {
        @Override
        public char code() {
            return 'c';
        }
    }

    /** 'a'. */
    record Accept() implements Response {
        @Override
        public char code() {
            return 'a';
        }
    }

    /** 'r': the MTA's own 5xx text. */
    record Reject() implements Response {
        @Override
        public char code() {
            return 'r';
        }
    }

    /** 't': the MTA's own 4xx text. */
    record Tempfail() implements Response {
        @Override
        public char code() {
            return 't';
        }
    }

    /** 'd'. */
    record Discard() implements Response {
        @Override
        public char code() {
            return 'd';
        }
    }

    /** 'y': "NNN X.Y.Z text", a 4xx or 5xx reply in the milter's words. */
    record ReplyCode(String text) implements Response {
        @Override
        public char code() {
            return 'y';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.stringZ(text);
        }
    }

    /** 's': send no more of this kind of event (body chunks). */
    record Skip() implements Response {
        @Override
        public char code() {
            return 's';
        }
    }

    /** '4': 421 and close the SMTP session. */
    record Shutdown() implements Response {
        @Override
        public char code() {
            return '4';
        }
    }

    /** 'f': close the SMTP connection. */
    record ConnectionFail() implements Response {
        @Override
        public char code() {
            return 'f';
        }
    }

    /** 'p': still working, restart the MTA's timer. */
    record Progress() implements Response {
        @Override
        public char code() {
            return 'p';
        }

        @Override
        public boolean isFinal() {
            return false;
        }
    }

    /** A change the milter asks for at end of message. */
    sealed interface Modification extends Response {
        @Override
        default boolean isFinal() {
            return false;
        }
    }

    /** 'q': put the message on hold (Postfix: the hold queue). */
    record Quarantine(String reason) implements Modification {
        @Override
        public char code() {
            return 'q';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.stringZ(reason);
        }
    }

    /** 'h': append a header. */
    record AddHeader(String name, byte[] value) implements Modification {
        @Override
        public char code() {
            return 'h';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.stringZ(name).bytesZ(value);
        }
    }

    /** 'i': insert a header at a position among all headers (0 = top). */
    record InsertHeader(int index, String name, byte[] value) implements Modification {
        @Override
        public char code() {
            return 'i';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.uint32(index).stringZ(name).bytesZ(value);
        }
    }

    /** 'm': change the index-th (1-based) header of this name; an empty value deletes it. */
    record ChangeHeader(int index, String name, byte[] value) implements Modification {
        @Override
        public char code() {
            return 'm';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.uint32(index).stringZ(name).bytesZ(value);
        }
    }

    /** 'b': one chunk of the replacement body; consecutive chunks append. */
    record ReplaceBody(byte[] chunk) implements Modification {
        @Override
        public char code() {
            return 'b';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.bytes(chunk);
        }
    }

    /** '+'. */
    record AddRecipient(String recipient) implements Modification {
        @Override
        public char code() {
            return '+';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.stringZ(recipient);
        }
    }

    /** '2': add a recipient with ESMTP parameters. */
    record AddRecipientWithArgs(String recipient, String parameters) implements Modification {
        @Override
        public char code() {
            return '2';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.stringZ(recipient).stringZ(parameters);
        }
    }

    /** '-': the recipient exactly as it was given in RCPT. */
    record DeleteRecipient(String recipient) implements Modification {
        @Override
        public char code() {
            return '-';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.stringZ(recipient);
        }
    }

    /** 'e': change the envelope sender; parameters may be empty. */
    record ChangeFrom(String sender, String parameters) implements Modification {
        @Override
        public char code() {
            return 'e';
        }

        @Override
        public void writePayload(Payload.Builder out) {
            out.stringZ(sender);
            if (!parameters.isEmpty()) {
                out.stringZ(parameters);
            }
        }
    }
}
