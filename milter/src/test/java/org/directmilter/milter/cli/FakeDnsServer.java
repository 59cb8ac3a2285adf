package org.directmilter.milter.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.CERTRecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/**
 * An in-process, UDP-only authoritative server on 127.0.0.1 for CLI tests: CERT records per owner
 * name, NXDOMAIN with a SOA for anything else. (The real-BIND tests live in the resolver module.)
 */
final class FakeDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Map<Name, List<CERTRecord>> records = new ConcurrentHashMap<>();
    private final Thread thread;

    FakeDnsServer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "fake-dns");
        thread.setDaemon(true);
        thread.start();
    }

    String hostPort() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    void publish(String owner, byte[] der) throws IOException {
        Name name = Name.fromString(owner);
        records.computeIfAbsent(name, n -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(new CERTRecord(name, DClass.IN, 300, CERTRecord.CertificateType.PKIX, 0, 0, der));
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                Message answer = new Message(query.getHeader().getID());
                answer.getHeader().setFlag(Flags.QR);
                answer.getHeader().setFlag(Flags.AA);
                answer.addRecord(query.getQuestion(), Section.QUESTION);
                List<CERTRecord> found = records.get(query.getQuestion().getName());
                if (found == null) {
                    answer.getHeader().setRcode(Rcode.NXDOMAIN);
                    Name zone = Name.fromString("partner.test.");
                    answer.addRecord(new SOARecord(zone, DClass.IN, 60, Name.fromString("ns1.partner.test."),
                            Name.fromString("hostmaster.partner.test."), 1, 3600, 600, 86400, 60), Section.AUTHORITY);
                } else {
                    found.forEach(r -> answer.addRecord(r, Section.ANSWER));
                }
                byte[] wire = answer.toWire();
                socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5000);
    }
}
