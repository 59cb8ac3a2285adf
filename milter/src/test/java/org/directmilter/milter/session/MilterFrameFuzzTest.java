package org.directmilter.milter.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.Exchange;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.protocol.Actions;
import org.directmilter.milter.protocol.Command;
import org.directmilter.milter.protocol.CommandCodec;
import org.directmilter.milter.protocol.Frame;
import org.directmilter.milter.protocol.FrameReader;
import org.directmilter.milter.protocol.FrameWriter;
import org.directmilter.milter.protocol.MilterProtocolException;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.protocol.ResponseCodec;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.RunningMilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of what an MTA (or anyone who reaches the socket) can send: mostly well-formed command
 * sequences with mutated frames, odd codes, truncated payloads and huge announced lengths, each case on
 * its own connection to a real server. Every case must end with the connection closed cleanly after our
 * half-close, every reply must be a well-formed frame, no memory may stay reserved, no spool file may be
 * left, and afterwards a normal message is served. Fatal errors would end the test JVM. The seed is
 * printed on failure; rerun one with {@code -Ddm.fuzz.seed=N}.
 */
@Timeout(300)
class MilterFrameFuzzTest {
    private static final int CASES = Integer.getInteger("dm.fuzz.cases", 4000);
    private static final String CODES = "OCDHMRTLNBEAQKU";

    @TempDir
    Path spool;

    @Test
    void randomFramesNeverCrashLeakOrHang() throws Exception {
        long seed = Long.getLong("dm.fuzz.seed", System.nanoTime());
        SessionSettings settings = SessionSettings.defaults().withSpool(4096, spool)
                .withLimits(new MessageLimits(5, 8, 4096, 2L << 20));
        try (RunningMilter milter = new RunningMilter(new PassThroughHandler(), settings)) {
            Random random = new Random(seed);
            for (int i = 0; i < CASES; i++) {
                byte[] input = fuzzCase(random);
                try {
                    runCase(milter, input);
                } catch (AssertionError | IOException | RuntimeException e) {
                    throw new AssertionError("fuzz case " + i + " of seed " + seed + " (-Ddm.fuzz.seed=" + seed
                            + "): " + e, e);
                }
            }
            Poll.until("every connection ended", () -> milter.server().activeConnections() == 0);
            assertThat(milter.sessions().memoryInUse()).as("memory reserved after seed %d", seed).isZero();
            try (Stream<Path> files = Files.list(spool)) {
                assertThat(files).as("spool files left after seed %d", seed).isEmpty();
            }
            try (MilterClient client = milter.client()) {
                var outcome = Exchange.send(client, Envelope.of("a@b.example", List.of("c@d.example")),
                        "Subject: after the fuzz\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(outcome.endOfMessage().orElseThrow().finalReply()).isInstanceOf(Response.Accept.class);
            }
        }
    }

    /** Sends the input, half-closes, and reads replies until the milter closes its side. */
    private static void runCase(RunningMilter milter, byte[] input) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", milter.port())) {
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(input);
                socket.shutdownOutput();
            } catch (IOException e) {
                // the milter closed first (a protocol error early in the input): fine, read what it said
            }
            InputStream in = socket.getInputStream();
            FrameReader replies = new FrameReader(in, 1 << 20);
            while (true) {
                Frame frame;
                try {
                    frame = replies.read();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the milter neither answered nor closed the connection");
                } catch (MilterProtocolException e) {
                    throw new AssertionError("a malformed reply: " + e.getMessage());
                } catch (IOException e) {
                    return; // reset by the milter after a protocol error: a clean close for our purpose
                }
                if (frame == null) {
                    return;
                }
                ResponseCodec.decode(frame);
            }
        }
    }

    private static byte[] fuzzCase(Random random) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(out);
        if (random.nextInt(10) < 8) {
            writer.write(CommandCodec.encode(new Command.OptionNegotiation(6, Actions.ALL,
                    random.nextBoolean() ? ProtocolFlags.ALL : random.nextInt())));
        }
        List<Command> script = List.of(
                new Command.Macros('C', java.util.Map.of("j", "mta")),
                new Command.Connect("client", '4', 25, "192.0.2.1"),
                new Command.Helo("client"),
                new Command.Mail("<a@b.example>", List.of()),
                new Command.Recipient("<c@d.example>", List.of("NOTIFY=NEVER")),
                new Command.Header("Subject".getBytes(StandardCharsets.US_ASCII), " hi".getBytes(StandardCharsets.US_ASCII)),
                new Command.EndOfHeaders(),
                new Command.BodyChunk("body\r\n".getBytes(StandardCharsets.US_ASCII)),
                new Command.EndOfMessage(new byte[0]));
        int steps = 1 + random.nextInt(24);
        for (int s = 0; s < steps; s++) {
            int kind = random.nextInt(100);
            if (kind < 55) {
                Frame frame = CommandCodec.encode(script.get(random.nextInt(script.size())));
                writer.write(mutate(frame, random));
            } else if (kind < 80) {
                byte[] payload = new byte[random.nextInt(kind < 70 ? 64 : 9000)];
                random.nextBytes(payload);
                if (random.nextBoolean()) {
                    for (int z = 0; z < payload.length; z += 1 + random.nextInt(8)) {
                        payload[z] = 0;
                    }
                }
                char code = random.nextInt(10) == 0 ? (char) random.nextInt(256) : CODES.charAt(random.nextInt(CODES.length()));
                writer.write(new Frame((byte) code, payload));
            } else if (kind < 90) {
                writer.flush();
                // a length that announces much more than follows (up to 4 GiB), then the input ends
                int announced = random.nextBoolean() ? 1 + random.nextInt(1 << 21) : random.nextInt();
                out.write(new byte[] {(byte) (announced >>> 24), (byte) (announced >>> 16), (byte) (announced >>> 8),
                    (byte) announced});
                out.write(CODES.charAt(random.nextInt(CODES.length())));
                byte[] some = new byte[random.nextInt(100)];
                random.nextBytes(some);
                out.write(some);
                break;
            } else {
                byte[] garbage = new byte[random.nextInt(16)];
                random.nextBytes(garbage);
                writer.flush();
                out.write(garbage);
            }
        }
        writer.flush();
        return out.toByteArray();
    }

    /** Flips, drops or appends a few bytes of a well-formed frame's payload. */
    private static Frame mutate(Frame frame, Random random) {
        byte[] payload = frame.payload().clone();
        int how = random.nextInt(4);
        if (how == 0 || payload.length == 0) {
            return frame;
        } else if (how == 1) {
            payload[random.nextInt(payload.length)] = (byte) random.nextInt(256);
            return new Frame(frame.code(), payload);
        } else if (how == 2) {
            return new Frame(frame.code(), java.util.Arrays.copyOf(payload, random.nextInt(payload.length)));
        }
        byte[] longer = java.util.Arrays.copyOf(payload, payload.length + 1 + random.nextInt(20));
        return new Frame(frame.code(), longer);
    }
}
