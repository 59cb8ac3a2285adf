package org.directmilter.milter.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An SMTP server on 127.0.0.1 that takes every message (the replies can be changed per command) and
 * keeps what it was sent.
 */
public final class FakeSmtpServer implements AutoCloseable {
    /** As a reply: close the connection instead of answering. */
    public static final String CLOSE = "CLOSE";
    /** As a reply: say nothing, keep the connection. */
    public static final String SILENT = "SILENT";

    public final AtomicInteger connections = new AtomicInteger();
    public final List<String> commands = new CopyOnWriteArrayList<>();
    /** Each message's data as sent, dot-stuffed, without the final dot. */
    public final List<String> messages = new CopyOnWriteArrayList<>();
    public volatile String greeting = "220 fake.example ESMTP";
    public volatile Function<String, String> reply = command -> null;
    public volatile String afterDot = "250 2.0.0 Ok: queued as ABC";
    private final ServerSocket listener;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public FakeSmtpServer() {
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        acceptor = new Thread(this::accept, "fake-smtp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    public String name() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Closes every connection now, as a server's idle timeout would. */
    public void dropIdleConnections() throws IOException {
        for (Socket socket : open) {
            socket.close();
        }
    }

    public static String unstuffed(String data) {
        return data.replaceAll("(?m)^\\.", "");
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                connections.incrementAndGet();
                open.add(socket);
                Thread session = new Thread(() -> serve(socket), "fake-smtp-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            if (!answer(socket, greeting)) {
                return;
            }
            String line;
            while ((line = in.readLine()) != null) {
                commands.add(line);
                String special = reply.apply(line);
                String normal = line.startsWith("EHLO") ? "250-fake.example\r\n250 8BITMIME"
                        : line.equals("DATA") ? "354 End data with <CR><LF>.<CR><LF>"
                        : line.equals("QUIT") ? "221 2.0.0 Bye" : "250 2.1.0 Ok";
                if (!answer(socket, special != null ? special : normal) || line.equals("QUIT")) {
                    return;
                }
                if (line.equals("DATA") && (special == null || special.startsWith("354"))) {
                    StringBuilder data = new StringBuilder();
                    String dataLine;
                    while ((dataLine = in.readLine()) != null && !dataLine.equals(".")) {
                        data.append(dataLine).append("\r\n");
                    }
                    messages.add(data.toString());
                    if (!answer(socket, afterDot)) {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            open.remove(socket);
        }
    }

    /** Writes {@code reply}; false when the connection is to end (CLOSE) or stay silent. */
    private boolean answer(Socket socket, String reply) throws IOException {
        if (reply.equals(CLOSE)) {
            return false;
        }
        if (reply.equals(SILENT)) {
            while (socket.getInputStream().read() >= 0) {
                // until the client gives up and closes
            }
            return false;
        }
        OutputStream out = socket.getOutputStream();
        out.write((reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return true;
    }

    @Override
    public void close() {
        try {
            listener.close();
            dropIdleConnections();
        } catch (IOException e) {
            // the test is over
        }
    }
}
