package org.directmilter.milter.client;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import org.directmilter.milter.protocol.Response;

/** What a milter answered at end of message: its changes in order, its final reply, how often it said PROGRESS. */
public record EndOfMessageResult(List<Response.Modification> modifications, Response finalReply, int progressCount) {

    public EndOfMessageResult {
        modifications = List.copyOf(modifications);
    }

    /** The replacement body, joined from its REPLBODY packets, if the milter replaced it. */
    public Optional<byte[]> replacedBody() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean replaced = false;
        for (Response.Modification m : modifications) {
            if (m instanceof Response.ReplaceBody b) {
                out.writeBytes(b.chunk());
                replaced = true;
            }
        }
        return replaced ? Optional.of(out.toByteArray()) : Optional.empty();
    }

    public <T extends Response.Modification> List<T> all(Class<T> type) {
        return modifications.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
