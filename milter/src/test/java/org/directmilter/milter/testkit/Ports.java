package org.directmilter.milter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Loopback ports: picking a free one, and seeing whether something listens without connecting. */
public final class Ports {

    private Ports() {
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago (the kernel picked it for port 0). */
    public static int free() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    /**
     * True when a socket in this network namespace listens on 127.0.0.1:port or 0.0.0.0:port.
     * Reads /proc/net/tcp instead of connecting, so a probe never shows up as an SMTP session
     * (Postfix would even open a milter connection for it).
     */
    public static boolean listening(int port) {
        String wantedPort = hexPort(port);
        for (String[] fields : tcpTable()) {
            String local = fields[1];
            boolean loopbackOrAny = local.startsWith("0100007F:") || local.startsWith("00000000:");
            if (loopbackOrAny && local.endsWith(wantedPort) && fields[3].equals("0A")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Bytes the peer sent that wait unread on established connections whose local end is
     * 127.0.0.1:port: what a server that stopped reading (SIGSTOP) has been sent since.
     */
    public static long unreadBytes(int port) {
        String local = "0100007F" + hexPort(port);
        long total = 0;
        for (String[] fields : tcpTable()) {
            if (fields[1].equals(local) && fields[3].equals("01")) { // 01: ESTABLISHED
                total += Long.parseLong(fields[4].substring(fields[4].indexOf(':') + 1), 16); // tx_queue:rx_queue
            }
        }
        return total;
    }

    private static String hexPort(int port) {
        return String.format(Locale.ROOT, ":%04X", port);
    }

    /** The rows of /proc/net/tcp split into fields: sl, local, remote, state, tx:rx queues, ... */
    private static List<String[]> tcpTable() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/net/tcp"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/net/tcp", e);
        }
        return lines.subList(1, lines.size()).stream().map(line -> line.trim().split("\\s+")).toList();
    }
}
