package org.directmilter.resolver;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One question sent to one server, for traces and the {@code lookup} command.
 *
 * @param outcome the rcode name ({@code NOERROR}, {@code NXDOMAIN}, {@code SERVFAIL}, …), {@code TRUNCATED}
 *                for a UDP answer with the TC bit, {@code TIMEOUT}, or {@code ERROR: reason}
 * @param answers records in the answer section (0 when there was no answer)
 * @param bytes   size of the answer on the wire (0 when there was no answer)
 */
public record DnsExchange(InetSocketAddress server, Transport transport, String outcome, int answers, int bytes,
                          Duration elapsed) {

    @Override
    public String toString() {
        return server.getAddress().getHostAddress() + ":" + server.getPort() + " " + transport + " " + outcome
                + " answers=" + answers + " bytes=" + bytes + " " + elapsed.toMillis() + "ms";
    }
}
