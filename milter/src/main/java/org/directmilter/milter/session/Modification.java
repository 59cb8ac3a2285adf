package org.directmilter.milter.session;

/** A change a handler asks the MTA to make to the message at end of data. */
public sealed interface Modification {

    /** Append a header at the end of the header block. */
    record AddHeader(HeaderField header) implements Modification {
    }

    /** Insert a header before the index-th header the milter saw (0 = at the top). */
    record InsertHeader(int index, HeaderField header) implements Modification {
    }

    /** Replace the occurrence-th (1-based) header of that name; a value past the last one adds it. */
    record ChangeHeader(int occurrence, HeaderField header) implements Modification {
    }

    /** Remove the occurrence-th (1-based) header of that name. */
    record DeleteHeader(String name, int occurrence) implements Modification {
    }

    /** Replace the whole body with these bytes (CRLF line ends). */
    record ReplaceBody(ByteSource body) implements Modification {
    }

    /** Add an envelope recipient, with ESMTP parameters (may be empty). */
    record AddRecipient(String recipient, String parameters) implements Modification {
    }

    /** Remove an envelope recipient, spelled exactly as in its RCPT command. */
    record DeleteRecipient(String recipient) implements Modification {
    }

    /** Change the envelope sender, with ESMTP parameters (may be empty). */
    record ChangeFrom(String sender, String parameters) implements Modification {
    }

    /** Keep the message on hold at the MTA (Postfix: the hold queue) with this reason. */
    record Quarantine(String reason) implements Modification {
    }
}
