package org.directmilter.resolver.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.directmilter.resolver.DnsExchange;
import org.directmilter.resolver.Transport;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;

/**
 * Asks explicit nameservers one question: UDP with EDNS0 first, the same server again over TCP when the
 * UDP answer is truncated, the next server on SERVFAIL, REFUSED, other error rcodes, timeouts and
 * unreachable servers, for a number of rounds over all servers.
 */
public final class DnsClient {

    /** A final answer (NOERROR or NXDOMAIN), or none after every server and round failed. */
    public sealed interface Reply {
        List<DnsExchange> exchanges();

        record Answered(Message message, List<DnsExchange> exchanges) implements Reply {
        }

        record Failed(String reason, List<DnsExchange> exchanges) implements Reply {
        }
    }

    private final List<Server> servers;
    private final int attempts;

    /**
     * @param nameservers servers in order; empty means those of the system resolver configuration
     * @param timeout     per exchange
     * @param attempts    rounds over all servers
     * @param ednsPayload advertised UDP payload size; 0 sends no OPT record
     */
    public DnsClient(List<InetSocketAddress> nameservers, Duration timeout, int attempts, int ednsPayload) {
        List<InetSocketAddress> addresses = nameservers.isEmpty()
                ? ResolverConfig.getCurrentConfig().servers() : nameservers;
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no nameservers configured and none found in the system configuration");
        }
        this.servers = addresses.stream().map(a -> new Server(a, timeout, ednsPayload)).toList();
        this.attempts = attempts;
    }

    public Reply query(Name name, int type) {
        Message query = Message.newQuery(org.xbill.DNS.Record.newRecord(name, type, DClass.IN));
        List<DnsExchange> exchanges = new ArrayList<>();
        for (int round = 0; round < attempts; round++) {
            for (Server server : servers) {
                Message answer = server.ask(query, exchanges);
                if (answer != null) {
                    int rcode = answer.getRcode();
                    if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
                        return new Reply.Answered(answer, exchanges);
                    }
                }
            }
        }
        return new Reply.Failed(summary(exchanges), exchanges);
    }

    private static String summary(List<DnsExchange> exchanges) {
        return exchanges.stream().map(e -> e.server().getAddress().getHostAddress() + ":" + e.server().getPort()
                + " " + e.transport() + " " + e.outcome()).distinct().reduce((a, b) -> a + ", " + b).orElse("no server");
    }

    /** One nameserver with its UDP and TCP resolvers. */
    private static final class Server {
        private final InetSocketAddress address;
        private final SimpleResolver udp;
        private final SimpleResolver tcp;

        Server(InetSocketAddress address, Duration timeout, int ednsPayload) {
            this.address = address;
            this.udp = resolver(address, timeout, ednsPayload, false);
            this.tcp = resolver(address, timeout, ednsPayload, true);
        }

        private static SimpleResolver resolver(InetSocketAddress address, Duration timeout, int ednsPayload,
                                               boolean tcp) {
            SimpleResolver r = new SimpleResolver(address);
            r.setTimeout(timeout);
            r.setTCP(tcp);
            // we see the TC bit ourselves, so the trace shows the switch to TCP
            r.setIgnoreTruncation(true);
            if (ednsPayload > 0) {
                r.setEDNS(0, ednsPayload, 0, List.of());
            } else {
                r.setEDNS(-1);
            }
            return r;
        }

        /** The answer (any rcode), or null when the server gave none; every exchange is recorded. */
        Message ask(Message query, List<DnsExchange> exchanges) {
            Message answer = exchange(udp, Transport.UDP, query, exchanges);
            if (answer != null && answer.getHeader().getFlag(Flags.TC)) {
                answer = exchange(tcp, Transport.TCP, query, exchanges);
            }
            return answer;
        }

        private Message exchange(SimpleResolver resolver, Transport transport, Message query,
                                 List<DnsExchange> exchanges) {
            long start = System.nanoTime();
            try {
                Message answer = resolver.send(query.clone());
                boolean truncated = answer.getHeader().getFlag(Flags.TC);
                String outcome = truncated ? "TRUNCATED" : Rcode.string(answer.getRcode());
                exchanges.add(new DnsExchange(address, transport, outcome, answer.getSection(Section.ANSWER).size(),
                        answer.toWire().length, Duration.ofNanos(System.nanoTime() - start)));
                return answer;
            } catch (IOException e) {
                exchanges.add(failure(transport, isTimeout(e) ? "TIMEOUT" : "ERROR: " + describe(e), start));
            }
            return null;
        }

        /** dnsjava reports its own timeout as a plain IOException("Timed out while trying to resolve …"). */
        private static boolean isTimeout(IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SocketTimeoutException || t instanceof java.util.concurrent.TimeoutException
                        || t.getMessage() != null && t.getMessage().startsWith("Timed out")) {
                    return true;
                }
            }
            return false;
        }

        private static String describe(Throwable t) {
            return t.getMessage() == null ? t.getClass().getSimpleName()
                    : t.getClass().getSimpleName() + " " + t.getMessage();
        }

        private DnsExchange failure(Transport transport, String outcome, long start) {
            return new DnsExchange(address, transport, outcome, 0, 0, Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
