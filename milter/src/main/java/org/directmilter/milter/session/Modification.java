package org.directmilter.milter.session;

import org.directmilter.milter.protocol.Actions;

/**
 * A change a handler asks the MTA to make to the message at end of data. Each names the action the MTA
 * must have allowed in option negotiation, so a new kind cannot be sent without one.
 */
public sealed interface Modification {

    /** The {@link Actions} bit the MTA must have agreed to for this change. */
    int requiredAction();

    /** Append a header at the end of the header block. */
    record AddHeader(HeaderField header) implements Modification {
        @Override
        public int requiredAction() {
            return Actions.ADD_HEADERS;
        }
    }

    /** Insert a header before the index-th header the milter saw (0 = at the top). */
    record InsertHeader(int index, HeaderField header) implements Modification {
        @Override
        public int requiredAction() {
            return Actions.ADD_HEADERS;
        }
    }

    /** Replace the occurrence-th (1-based) header of that name; a value past the last one adds it. */
    record ChangeHeader(int occurrence, HeaderField header) implements Modification {
        @Override
        public int requiredAction() {
            return Actions.CHANGE_HEADERS;
        }
    }

    /** Remove the occurrence-th (1-based) header of that name. */
    record DeleteHeader(String name, int occurrence) implements Modification {
        @Override
        public int requiredAction() {
            return Actions.CHANGE_HEADERS;
        }
    }

    /** Replace the whole body with these bytes (CRLF line ends). */
    record ReplaceBody(ByteSource body) implements Modification {
        @Override
        public int requiredAction() {
            return Actions.CHANGE_BODY;
        }
    }

    /** Add an envelope recipient, with ESMTP parameters (may be empty). */
    record AddRecipient(String recipient, String parameters) implements Modification {
        @Override
        public int requiredAction() {
            return parameters.isEmpty() ? Actions.ADD_RECIPIENTS : Actions.ADD_RECIPIENTS_WITH_ARGS;
        }
    }

    /** Remove an envelope recipient, spelled exactly as in its RCPT command. */
    record DeleteRecipient(String recipient) implements Modification {
        @Override
        public int requiredAction() {
            return Actions.DELETE_RECIPIENTS;
        }
    }

    /** Change the envelope sender, with ESMTP parameters (may be empty). */
    record ChangeFrom(String sender, String parameters) implements Modification {
        @Override
        public int requiredAction() {
            return Actions.CHANGE_FROM;
        }
    }

    /** Keep the message on hold at the MTA (Postfix: the hold queue) with this reason. */
    record Quarantine(String reason) implements Modification {
        @Override
        public int requiredAction() {
            return Actions.QUARANTINE;
        }
    }
}
