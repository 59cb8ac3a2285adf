package org.directmilter.milter.protocol;

import java.util.Map;

/** A packet from the milter (SMFIR_*): a reply that ends a command, or an end-of-message change. */
public sealed interface Response {

    /** True for the packets that end a command (accept/reject family); false for changes and PROGRESS. */
    default boolean isFinal() {
        return true;
    }

    /** 'O': what the milter takes of the MTA's offer, and the macros it asks for per stage. */
    record OptionNegotiation(int version, int actions, int protocolFlags, Map<MacroStage, String> macroRequests)
            implements Response {
    }

    /** 'c'. */
    record Continue() implements Response {
    }

    /** 'a'. */
    record Accept() implements Response {
    }

    /** 'r': the MTA's own 5xx text. */
    record Reject() implements Response {
    }

    /** 't': the MTA's own 4xx text. */
    record Tempfail() implements Response {
    }

    /** 'd'. */
    record Discard() implements Response {
    }

    /** 'y': "NNN X.Y.Z text", a 4xx or 5xx reply in the milter's words. */
    record ReplyCode(String text) implements Response {
    }

    /** 's': send no more of this kind of event (body chunks). */
    record Skip() implements Response {
    }

    /** '4': 421 and close the SMTP session. */
    record Shutdown() implements Response {
    }

    /** 'f': close the SMTP connection. */
    record ConnectionFail() implements Response {
    }

    /** 'p': still working, restart the MTA's timer. */
    record Progress() implements Response {
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
    }

    /** 'h': append a header. */
    record AddHeader(String name, byte[] value) implements Modification {
    }

    /** 'i': insert a header at a position among all headers (0 = top). */
    record InsertHeader(int index, String name, byte[] value) implements Modification {
    }

    /** 'm': change the index-th (1-based) header of this name; an empty value deletes it. */
    record ChangeHeader(int index, String name, byte[] value) implements Modification {
    }

    /** 'b': one chunk of the replacement body; consecutive chunks append. */
    record ReplaceBody(byte[] chunk) implements Modification {
    }

    /** '+'. */
    record AddRecipient(String recipient) implements Modification {
    }

    /** '2': add a recipient with ESMTP parameters. */
    record AddRecipientWithArgs(String recipient, String parameters) implements Modification {
    }

    /** '-': the recipient exactly as it was given in RCPT. */
    record DeleteRecipient(String recipient) implements Modification {
    }

    /** 'e': change the envelope sender; parameters may be empty. */
    record ChangeFrom(String sender, String parameters) implements Modification {
    }
}
