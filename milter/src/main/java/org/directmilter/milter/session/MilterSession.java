package org.directmilter.milter.session;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.directmilter.milter.protocol.Actions;
import org.directmilter.milter.protocol.Command;
import org.directmilter.milter.protocol.CommandCodec;
import org.directmilter.milter.protocol.Frame;
import org.directmilter.milter.protocol.FrameReader;
import org.directmilter.milter.protocol.FrameWriter;
import org.directmilter.milter.protocol.MacroStage;
import org.directmilter.milter.protocol.MilterProtocolException;
import org.directmilter.milter.protocol.Negotiation;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.protocol.ResponseCodec;
import org.directmilter.milter.server.ServedConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One MTA connection: reads commands, keeps per-connection and per-message state, asks the
 * {@link MessageHandler}, and answers exactly once per command that expects an answer.
 * All socket I/O happens on the connection's own thread; end-of-message work runs on a worker
 * while this thread sends PROGRESS so the MTA keeps waiting.
 */
final class MilterSession implements ServedConnection {
    private static final Logger log = LoggerFactory.getLogger(MilterSession.class);
    static final int MAX_BODY_CHUNK = 65_535;
    static final SmtpReply INTERNAL_ERROR = SmtpReply.tempfail("4.3.0", "internal error in direct-milter; try again later");
    static final SmtpReply TIMED_OUT = SmtpReply.tempfail("4.3.0", "direct-milter timed out processing the message; try again later");

    private final SocketChannel channel;
    private final String id;
    private final MessageHandler handler;
    private final SessionSettings settings;
    private final Negotiation wanted;
    private final ExecutorService workers;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean inMessage;
    private volatile boolean working;
    private volatile boolean closeRequested;
    private volatile long lastActivity = System.nanoTime();

    private FrameWriter writer;
    private Negotiation agreed;
    private Client client = Client.UNKNOWN;
    private String helo = "";
    private final Macros macros = new Macros();
    private MacroStage pendingMacro;
    private Transaction transaction;
    private List<HeaderField> headers;
    private SpooledBody body;

    MilterSession(SocketChannel channel, String id, MessageHandler handler, SessionSettings settings,
                  Negotiation wanted, ExecutorService workers) {
        this.channel = channel;
        this.id = id;
        this.handler = handler;
        this.settings = settings;
        this.wanted = wanted;
        this.workers = workers;
    }

    @Override
    public void run() {
        MDC.put("session", id);
        noDelay(channel);
        try (InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16)) {
            FrameReader reader = new FrameReader(in, settings.maxFrameBytes());
            writer = new FrameWriter(Channels.newOutputStream(channel));
            log.debug("connection open");
            for (Frame frame; (frame = reader.read()) != null; ) {
                lastActivity = System.nanoTime();
                if (!handle(CommandCodec.decode(frame))) {
                    break;
                }
            }
            if (inMessage && !closed.get()) {
                log.warn("MTA closed the connection in the middle of a message; message abandoned");
            } else {
                log.debug("connection closed");
            }
        } catch (MilterProtocolException e) {
            log.warn("milter protocol error from MTA: {}; closing this connection", e.getMessage());
        } catch (ClosedChannelException e) {
            log.debug("connection closed by direct-milter");
        } catch (IOException e) {
            log.warn("connection lost{}: {}", inMessage ? " in the middle of a message" : "", e.getMessage());
        } catch (RuntimeException e) {
            log.error("unexpected failure; closing this connection", e);
        } finally {
            discardMessage();
            close();
            MDC.remove("session");
        }
    }

    /**
     * Every reply is one small write answered by the MTA's next command: with Nagle's algorithm
     * and delayed ACKs each round trip would wait tens of milliseconds.
     */
    static void noDelay(SocketChannel channel) {
        try {
            if (channel.getLocalAddress() instanceof java.net.InetSocketAddress) {
                channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            }
        } catch (IOException e) {
            log.debug("cannot set TCP_NODELAY: {}", e.getMessage());
        }
    }

    /** @return false when the MTA ended the connection */
    private boolean handle(Command command) throws IOException {
        MacroStage macroBefore = pendingMacro;
        pendingMacro = null;
        if (agreed == null && !(command instanceof Command.OptionNegotiation)) {
            throw new MilterProtocolException("expected option negotiation first, got " + describe(command));
        }
        if (command instanceof Command.OptionNegotiation offer) {
            negotiate(offer);
        } else if (command instanceof Command.Macros m) {
            MacroStage.forCommand(m.stage()).ifPresentOrElse(stage -> {
                macros.put(stage, m.values());
                pendingMacro = stage;
            }, () -> log.debug("ignoring macros for unknown stage '{}'", m.stage()));
        } else if (command instanceof Command.Connect c) {
            client = new Client(c.hostname(), Client.Family.of(c.family()), c.port(), c.address());
            reply(ask(() -> handler.connect(client, macros)), ProtocolFlags.NO_REPLY_CONNECT);
        } else if (command instanceof Command.Helo h) {
            helo = h.name();
            reply(Verdict.CONTINUE, ProtocolFlags.NO_REPLY_HELO);
        } else if (command instanceof Command.Mail m) {
            startMessage(m, macroBefore == MacroStage.MAIL);
        } else if (command instanceof Command.Recipient r) {
            Transaction tx = requireTransaction("RCPT");
            EnvelopeAddress recipient = new EnvelopeAddress(r.recipient(), r.parameters());
            Verdict verdict = ask(() -> handler.recipient(tx, recipient));
            if (verdict instanceof Verdict.Continue || verdict instanceof Verdict.Accept) {
                tx.addRecipient(recipient);
            }
            reply(verdict, ProtocolFlags.NO_REPLY_RCPT);
        } else if (command instanceof Command.Data) {
            reply(Verdict.CONTINUE, ProtocolFlags.NO_REPLY_DATA);
        } else if (command instanceof Command.Header h) {
            requireTransaction("header");
            headers.add(new HeaderField(CommandCodec.text(h.name()), headerValue(h.value())));
            reply(Verdict.CONTINUE, ProtocolFlags.NO_REPLY_HEADER);
        } else if (command instanceof Command.EndOfHeaders) {
            requireTransaction("end of headers");
            reply(Verdict.CONTINUE, ProtocolFlags.NO_REPLY_EOH);
        } else if (command instanceof Command.BodyChunk b) {
            requireTransaction("body");
            body.append(b.chunk());
            reply(Verdict.CONTINUE, ProtocolFlags.NO_REPLY_BODY);
        } else if (command instanceof Command.EndOfMessage e) {
            requireTransaction("end of message");
            body.append(e.chunk());
            endOfMessage();
        } else if (command instanceof Command.Abort) {
            discardMessage();
            macros.clearMessageStages();
        } else if (command instanceof Command.QuitNewConnection) {
            discardMessage();
            macros.clear();
            client = Client.UNKNOWN;
            helo = "";
            return !closeRequested;
        } else if (command instanceof Command.Quit) {
            return false;
        } else if (command instanceof Command.Unknown) {
            reply(Verdict.CONTINUE, ProtocolFlags.NO_REPLY_UNKNOWN);
        }
        return true;
    }

    private void negotiate(Command.OptionNegotiation offer) throws IOException {
        if (agreed != null) {
            throw new MilterProtocolException("second option negotiation on one connection");
        }
        agreed = wanted.agree(offer);
        log.debug("negotiated version {}, actions {}, protocol {} (MTA offered version {}, actions {}, protocol {})",
                agreed.version(), Actions.describe(agreed.actions()), ProtocolFlags.describe(agreed.protocolFlags()),
                offer.version(), Actions.describe(offer.actions()), ProtocolFlags.describe(offer.protocolFlags()));
        send(agreed.reply());
        writer.flush();
    }

    private void startMessage(Command.Mail mail, boolean macrosJustSent) throws IOException {
        discardMessage();
        if (macrosJustSent) {
            macros.clearMessageStagesExcept(MacroStage.MAIL);
        } else {
            macros.clearMessageStages();
        }
        transaction = new Transaction(client, helo, macros, new EnvelopeAddress(mail.sender(), mail.parameters()));
        headers = new ArrayList<>();
        body = new SpooledBody(settings.spoolThresholdBytes(), settings.spoolDirectory());
        inMessage = true;
        Transaction tx = transaction;
        Verdict verdict = ask(() -> handler.mail(tx));
        reply(verdict, ProtocolFlags.NO_REPLY_MAIL);
        if (!(verdict instanceof Verdict.Continue)) {
            // the MTA sends nothing more for this message: it is over for us too
            discardMessage();
        }
    }

    private Transaction requireTransaction(String what) throws MilterProtocolException {
        if (transaction == null) {
            throw new MilterProtocolException(what + " outside a message (no MAIL before it)");
        }
        return transaction;
    }

    /** Header bytes as they stood in the message: leading space kept, folds back to CRLF. */
    private byte[] headerValue(byte[] value) {
        boolean leadingSpaceKept = agreed.has(ProtocolFlags.HEADER_LEADING_SPACE);
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 8);
        if (!leadingSpaceKept) {
            out.write(' ');
        }
        for (int i = 0; i < value.length; i++) {
            byte b = value[i];
            if (b == '\n' && (i == 0 || value[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    private interface Stage {
        Verdict call() throws Exception;
    }

    private Verdict ask(Stage stage) {
        try {
            return stage.call();
        } catch (Exception | LinkageError e) {
            log.error("handler failed; answering {}", INTERNAL_ERROR, e);
            return Verdict.tempfail(INTERNAL_ERROR);
        }
    }

    private void reply(Verdict verdict, int noReplyFlag) throws IOException {
        if (agreed.has(noReplyFlag)) {
            if (!(verdict instanceof Verdict.Continue)) {
                log.warn("handler answered {} at a step the MTA expects no reply to; ignored", verdict);
            }
            return;
        }
        send(response(verdict));
        writer.flush();
    }

    private static Response response(Verdict verdict) {
        if (verdict instanceof Verdict.Accept) {
            return new Response.Accept();
        } else if (verdict instanceof Verdict.Discard) {
            return new Response.Discard();
        } else if (verdict instanceof Verdict.Reject r) {
            return r.reply().<Response>map(reply -> new Response.ReplyCode(reply.wireText())).orElse(new Response.Reject());
        } else if (verdict instanceof Verdict.Tempfail t) {
            return t.reply().<Response>map(reply -> new Response.ReplyCode(reply.wireText())).orElse(new Response.Tempfail());
        }
        return new Response.Continue();
    }

    private void endOfMessage() throws IOException {
        Message message = new Message(transaction, headers, body);
        EndOfMessage result;
        working = true;
        try {
            result = runHandler(message);
        } finally {
            working = false;
        }
        sendEndOfMessage(result);
        discardMessage();
        macros.clearMessageStages();
        if (closeRequested) {
            close();
        }
    }

    private EndOfMessage runHandler(Message message) throws IOException {
        Map<String, String> context = MDC.getCopyOfContextMap();
        AtomicBoolean abandoned = new AtomicBoolean();
        Future<EndOfMessage> future;
        try {
            future = workers.submit(() -> {
                if (context != null) {
                    MDC.setContextMap(context);
                }
                try {
                    EndOfMessage result = handler.endOfMessage(message);
                    if (abandoned.get() && result != null) {
                        release(result); // nobody will send it: free its temporary files now
                    }
                    return result;
                } finally {
                    MDC.clear();
                }
            });
        } catch (RejectedExecutionException e) {
            log.warn("end-of-message work refused (shutting down); answering {}", INTERNAL_ERROR);
            return EndOfMessage.of(Verdict.tempfail(INTERNAL_ERROR));
        }
        long deadline = System.nanoTime() + settings.endOfMessageTimeout().toNanos();
        while (true) {
            long wait = Math.min(settings.progressInterval().toNanos(), deadline - System.nanoTime());
            if (wait <= 0) {
                abandoned.set(true);
                if (!future.cancel(true)) {
                    releaseIfDone(future); // it finished just now, after all
                }
                log.error("end-of-message work took longer than {}; answering {}", settings.endOfMessageTimeout(), TIMED_OUT);
                return EndOfMessage.of(Verdict.tempfail(TIMED_OUT));
            }
            try {
                EndOfMessage result = future.get(wait, TimeUnit.NANOSECONDS);
                if (result == null) {
                    log.error("handler returned no answer at end of message; answering {}", INTERNAL_ERROR);
                    return EndOfMessage.of(Verdict.tempfail(INTERNAL_ERROR));
                }
                return result;
            } catch (TimeoutException e) {
                send(new Response.Progress());
                writer.flush();
            } catch (ExecutionException e) {
                log.error("handler failed at end of message; answering {}", INTERNAL_ERROR, e.getCause());
                return EndOfMessage.of(Verdict.tempfail(INTERNAL_ERROR));
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for end-of-message work", e);
            }
        }
    }

    /** Sends the changes and the verdict, then releases what a replacement body held (a temporary file). */
    private void sendEndOfMessage(EndOfMessage result) throws IOException {
        try {
            sendChanges(result);
        } finally {
            release(result);
        }
    }

    /** Closes a replacement body that holds resources; closing twice is harmless. */
    private static void release(EndOfMessage result) {
        for (Modification m : result.modifications()) {
            if (m instanceof Modification.ReplaceBody r && r.body() instanceof java.io.Closeable closeable) {
                try {
                    closeable.close();
                } catch (IOException e) {
                    log.warn("could not release the replacement body: {}", e.getMessage());
                }
            }
        }
    }

    private static void releaseIfDone(Future<EndOfMessage> future) {
        try {
            if (future.isDone() && !future.isCancelled()) {
                EndOfMessage result = future.get();
                if (result != null) {
                    release(result);
                }
            }
        } catch (ExecutionException e) {
            // it failed, so it holds nothing to release
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendChanges(EndOfMessage result) throws IOException {
        for (Modification m : result.modifications()) {
            int needed = requiredAction(m);
            if (!agreed.allows(needed)) {
                log.error("handler asked for {} but the MTA did not allow {}; answering {} so nothing leaves unchanged",
                        m.getClass().getSimpleName(), Actions.describe(needed), INTERNAL_ERROR);
                send(response(Verdict.tempfail(INTERNAL_ERROR)));
                writer.flush();
                return;
            }
        }
        Modification.ReplaceBody replacement = null;
        for (Modification m : result.modifications()) {
            if (m instanceof Modification.ReplaceBody r) {
                replacement = r;
            } else {
                send(wire(m));
            }
        }
        if (replacement != null) {
            sendBody(replacement.body());
        }
        send(response(result.verdict()));
        writer.flush();
    }

    /** REPLBODY packets must form one unbroken run, each at most 65,535 bytes. */
    private void sendBody(ByteSource replacement) throws IOException {
        byte[] buffer = new byte[MAX_BODY_CHUNK];
        boolean sent = false;
        try (InputStream in = replacement.openStream()) {
            for (int n; (n = in.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                writer.write((byte) 'b', buffer, 0, n);
                sent = true;
                lastActivity = System.nanoTime();
            }
        }
        if (!sent) {
            writer.write((byte) 'b', buffer, 0, 0);
        }
    }

    private static int requiredAction(Modification m) {
        if (m instanceof Modification.AddHeader || m instanceof Modification.InsertHeader) {
            return Actions.ADD_HEADERS;
        } else if (m instanceof Modification.ChangeHeader || m instanceof Modification.DeleteHeader) {
            return Actions.CHANGE_HEADERS;
        } else if (m instanceof Modification.ReplaceBody) {
            return Actions.CHANGE_BODY;
        } else if (m instanceof Modification.AddRecipient a) {
            return a.parameters().isEmpty() ? Actions.ADD_RECIPIENTS : Actions.ADD_RECIPIENTS_WITH_ARGS;
        } else if (m instanceof Modification.DeleteRecipient) {
            return Actions.DELETE_RECIPIENTS;
        } else if (m instanceof Modification.ChangeFrom) {
            return Actions.CHANGE_FROM;
        }
        return Actions.QUARANTINE;
    }

    private Response wire(Modification m) {
        if (m instanceof Modification.AddHeader a) {
            return new Response.AddHeader(a.header().name(), wireValue(a.header()));
        } else if (m instanceof Modification.InsertHeader i) {
            return new Response.InsertHeader(i.index(), i.header().name(), wireValue(i.header()));
        } else if (m instanceof Modification.ChangeHeader c) {
            return new Response.ChangeHeader(c.occurrence(), c.header().name(), wireValue(c.header()));
        } else if (m instanceof Modification.DeleteHeader d) {
            return new Response.ChangeHeader(d.occurrence(), d.name(), new byte[0]);
        } else if (m instanceof Modification.AddRecipient a) {
            return a.parameters().isEmpty() ? new Response.AddRecipient(a.recipient())
                    : new Response.AddRecipientWithArgs(a.recipient(), a.parameters());
        } else if (m instanceof Modification.DeleteRecipient d) {
            return new Response.DeleteRecipient(d.recipient());
        } else if (m instanceof Modification.ChangeFrom c) {
            return new Response.ChangeFrom(c.sender(), c.parameters());
        } else if (m instanceof Modification.Quarantine q) {
            return new Response.Quarantine(q.reason());
        }
        throw new IllegalArgumentException("not sent as a single packet: " + m);
    }

    /**
     * The value as the MTA wants it: without HDR_LEADSPC the MTA writes ": " itself, so our one
     * leading space goes; folds are sent as LF plus white space, as libmilter documents.
     */
    private byte[] wireValue(HeaderField header) {
        byte[] raw = header.rawValue();
        int start = !agreed.has(ProtocolFlags.HEADER_LEADING_SPACE) && raw.length > 0 && raw[0] == ' ' ? 1 : 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        for (int i = start; i < raw.length; i++) {
            if (raw[i] == '\r' && i + 1 < raw.length && raw[i + 1] == '\n') {
                continue;
            }
            out.write(raw[i]);
        }
        return out.toByteArray();
    }

    private void send(Response response) throws IOException {
        writer.write(ResponseCodec.encode(response));
        lastActivity = System.nanoTime();
    }

    private void discardMessage() {
        transaction = null;
        headers = null;
        inMessage = false;
        if (body != null) {
            try {
                body.close();
            } catch (IOException e) {
                log.warn("could not remove a spooled body: {}", e.getMessage());
            }
            body = null;
        }
    }

    private static String describe(Command command) {
        return command.getClass().getSimpleName();
    }

    @Override
    public boolean inMessage() {
        return inMessage;
    }

    @Override
    public boolean working() {
        return working;
    }

    @Override
    public long lastActivityNanos() {
        return lastActivity;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                channel.close();
            } catch (IOException e) {
                log.debug("closing: {}", e.getMessage());
            }
        }
    }

    @Override
    public void closeAfterMessage() {
        closeRequested = true;
        if (!inMessage && !working) {
            close();
        }
    }
}
