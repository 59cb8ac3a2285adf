package org.directmilter.milter.client;

import java.nio.charset.StandardCharsets;
import org.directmilter.milter.protocol.Response;

/** Human-readable descriptions of milter replies, for the probe's transcript and test failures. */
public final class Responses {
    private Responses() {
    }

    public static String describe(Response response) {
        if (response == null) {
            return "(no reply expected)";
        } else if (response instanceof Response.Continue) {
            return "continue";
        } else if (response instanceof Response.Accept) {
            return "accept";
        } else if (response instanceof Response.Reject) {
            return "reject (the MTA's own 5xx text)";
        } else if (response instanceof Response.Tempfail) {
            return "tempfail (the MTA's own 4xx text)";
        } else if (response instanceof Response.Discard) {
            return "discard";
        } else if (response instanceof Response.ReplyCode r) {
            return r.text().replace("%%", "%");
        } else if (response instanceof Response.Shutdown) {
            return "shutdown (421, close the session)";
        } else if (response instanceof Response.ConnectionFail) {
            return "connection fail";
        } else if (response instanceof Response.Skip) {
            return "skip";
        } else if (response instanceof Response.Quarantine q) {
            return "quarantine: " + q.reason();
        } else if (response instanceof Response.AddHeader h) {
            return "add header " + h.name() + ":" + text(h.value());
        } else if (response instanceof Response.InsertHeader h) {
            return "insert header at " + h.index() + " " + h.name() + ":" + text(h.value());
        } else if (response instanceof Response.ChangeHeader h) {
            return h.value().length == 0 ? "delete header " + h.name() + " #" + h.index()
                    : "change header " + h.name() + " #" + h.index() + " to:" + text(h.value());
        } else if (response instanceof Response.ReplaceBody b) {
            return "replace body chunk of " + b.chunk().length + " bytes";
        } else if (response instanceof Response.AddRecipient r) {
            return "add recipient " + r.recipient();
        } else if (response instanceof Response.AddRecipientWithArgs r) {
            return "add recipient " + r.recipient() + " " + r.parameters();
        } else if (response instanceof Response.DeleteRecipient r) {
            return "delete recipient " + r.recipient();
        } else if (response instanceof Response.ChangeFrom f) {
            return "change sender to " + f.sender() + (f.parameters().isEmpty() ? "" : " " + f.parameters());
        } else if (response instanceof Response.Progress) {
            return "progress";
        }
        return response.toString();
    }

    /** True for a 4xx: a REPLYCODE starting with 4, or TEMPFAIL. */
    public static boolean temporary(Response response) {
        return response instanceof Response.Tempfail
                || response instanceof Response.ReplyCode r && r.text().startsWith("4");
    }

    /** True for a 5xx: a REPLYCODE starting with 5, or REJECT. */
    public static boolean permanent(Response response) {
        return response instanceof Response.Reject
                || response instanceof Response.ReplyCode r && r.text().startsWith("5");
    }

    private static String text(byte[] value) {
        String s = new String(value, StandardCharsets.UTF_8).replace("\n", "\\n");
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
