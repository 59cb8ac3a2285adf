package org.directmilter.milter.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.directmilter.milter.protocol.Response;

/**
 * What an MTA would deliver after applying a milter's end-of-message changes, computed the way
 * Postfix applies them: headers added at the end, inserted by position, changed or deleted by
 * occurrence of their name; the body replaced by the REPLBODY run; envelope edits on the lists.
 */
public record ChangedMessage(String sender, List<String> recipients, List<RawMessage.Field> headers, byte[] body) {

    /**
     * @param leadingSpace whether HDR_LEADSPC was agreed: then header values travel with their
     *                     leading white space; otherwise the MTA writes ": " itself
     */
    public static ChangedMessage apply(Envelope envelope, RawMessage original, List<Response.Modification> changes,
                                       boolean leadingSpace) {
        String sender = envelope.sender();
        List<String> recipients = new ArrayList<>(envelope.recipients());
        List<RawMessage.Field> headers = new ArrayList<>(original.headers());
        ByteArrayOutputStream replacement = null;
        for (Response.Modification change : changes) {
            if (change instanceof Response.AddHeader a) {
                headers.add(field(a.name(), a.value(), leadingSpace));
            } else if (change instanceof Response.InsertHeader i) {
                headers.add(Math.max(0, Math.min(i.index(), headers.size())), field(i.name(), i.value(), leadingSpace));
            } else if (change instanceof Response.ChangeHeader c) {
                int position = occurrence(headers, c.name(), c.index());
                if (c.value().length == 0) {
                    if (position >= 0) {
                        headers.remove(position);
                    }
                } else if (position >= 0) {
                    headers.set(position, field(c.name(), c.value(), leadingSpace));
                } else {
                    headers.add(field(c.name(), c.value(), leadingSpace));
                }
            } else if (change instanceof Response.ReplaceBody b) {
                if (replacement == null) {
                    replacement = new ByteArrayOutputStream();
                }
                replacement.writeBytes(b.chunk());
            } else if (change instanceof Response.AddRecipient r) {
                recipients.add(bare(r.recipient()));
            } else if (change instanceof Response.AddRecipientWithArgs r) {
                recipients.add(bare(r.recipient()));
            } else if (change instanceof Response.DeleteRecipient r) {
                recipients.remove(bare(r.recipient()));
            } else if (change instanceof Response.ChangeFrom f) {
                sender = bare(f.sender());
            }
        }
        return new ChangedMessage(sender, List.copyOf(recipients), List.copyOf(headers),
                replacement == null ? original.body() : replacement.toByteArray());
    }

    /** The message as RFC 5322 bytes with CRLF line ends. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + headers.size() * 64);
        for (RawMessage.Field field : headers) {
            out.writeBytes(field.name().getBytes(StandardCharsets.ISO_8859_1));
            out.write(':');
            out.writeBytes(RawMessage.toCrlf(field.value()));
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        out.writeBytes(new byte[] {'\r', '\n'});
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static RawMessage.Field field(String name, byte[] value, boolean leadingSpace) {
        if (leadingSpace) {
            return new RawMessage.Field(name, value);
        }
        byte[] spaced = new byte[value.length + 1];
        spaced[0] = ' ';
        System.arraycopy(value, 0, spaced, 1, value.length);
        return new RawMessage.Field(name, spaced);
    }

    private static int occurrence(List<RawMessage.Field> headers, String name, int index) {
        int seen = 0;
        for (int i = 0; i < headers.size(); i++) {
            if (headers.get(i).name().equalsIgnoreCase(name) && ++seen == index) {
                return i;
            }
        }
        return -1;
    }

    private static String bare(String address) {
        String a = address.strip();
        return a.startsWith("<") && a.endsWith(">") ? a.substring(1, a.length() - 1) : a;
    }
}
