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
import java.util.concurrent.atomic.AtomicBoolean;
import org.directmilter.crypto.spool.MemoryBudget;
import org.directmilter.crypto.text.LogSafe;
import org.directmilter.milter.protocol.Actions;
import org.directmilter.milter.protocol.Command;
import org.directmilter.milter.protocol.CommandCodec;
import org.directmilter.milter.protocol.Frame;
import org.directmilter.milter.protocol.FrameMemory;
import org.directmilter.milter.protocol.FrameReader;
import org.directmilter.milter.protocol.FrameWriter;
import org.directmilter.milter.protocol.MacroStage;
import org.directmilter.milter.protocol.MilterProtocolException;
import org.directmilter.milter.protocol.Negotiation;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.protocol.ResponseCodec;
import org.directmilter.milter.server.FatalErrors;
import org.directmilter.milter.server.ServedConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One MTA connection: reads commands, keeps per-connection and per-message state, asks the
 * {@link MessageHandler}, and answers exactly once per command that expects an answer.
 * All socket I/O happens on the connection's own thread; end-of-message work runs on a worker
 * ({@link EndOfMessageCall}) while this thread sends PROGRESS, and {@link ModificationWriter} writes
 * the answer. What a message may make us hold is bounded by {@link MessageLimits}; envelope addresses
 * with line breaks or NUL never reach a handler.
 */
final class MilterSession implements ServedConnection {
    private static final Logger log = LoggerFactory.getLogger(MilterSession.class);
    static final SmtpReply INTERNAL_ERROR = SmtpReply.tempfail("4.3.0", "internal error in direct-milter; try again later");
    static final SmtpReply TIMED_OUT = SmtpReply.tempfail("4.3.0", "direct-milter timed out processing the message; try again later");
    static final SmtpReply BAD_SENDER = new SmtpReply(501, "5.1.7", "bad sender address syntax");
    static final SmtpReply BAD_RECIPIENT = new SmtpReply(501, "5.1.3", "bad recipient address syntax");
    static final SmtpReply TOO_MANY_RECIPIENTS = new SmtpReply(452, "4.5.3", "too many recipients");
    static final SmtpReply TOO_MANY_HEADER_FIELDS = new SmtpReply(552, "5.3.4", "message header too large: too many header fields");
    static final SmtpReply HEADER_TOO_LARGE = new SmtpReply(552, "5.3.4", "message header too large");
    /** An address with its ESMTP parameters; RFC 5321 allows 512 per command line, extensions a little more. */
    static final int MAX_ENVELOPE_CHARS = 4096;
    /** Macros of one stage together; MTAs send a few hundred characters. */
    static final int MAX_MACRO_CHARS = 8192;
    /** Recipients of one message together: 1000 ordinary addresses take a tenth of it. */
    static final int MAX_RECIPIENT_CHARS = 256 * 1024;

    private final SocketChannel channel;
    private final String id;
    private final MessageHandler handler;
    private final SessionSettings settings;
    private final Negotiation wanted;
    private final EndOfMessageCall endOfMessageCall;
    private final MemoryBudget memory;
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
    private long headerBytes;
    private int recipientCommands;
    private long recipientChars;
    private boolean recipientsExceeded;
    private SpooledBody body;
    /** Set when the message broke a limit: the answer to every later step of this message. */
    private SmtpReply refusal;

    MilterSession(SocketChannel channel, String id, MessageHandler handler, SessionSettings settings,
                  Negotiation wanted, EndOfMessageCall endOfMessageCall, MemoryBudget memory) {
        this.channel = channel;
        this.id = id;
        this.handler = handler;
        this.settings = settings;
        this.wanted = wanted;
        this.endOfMessageCall = endOfMessageCall;
        this.memory = memory;
    }

    @Override
    public void run() {
        MDC.put("session", id);
        noDelay(channel);
        // 8 KiB holds any run of small commands; a body chunk is larger and is read straight into its frame
        try (InputStream in = new BufferedInputStream(QuickAckInput.wrap(Channels.newInputStream(channel), channel), 8192);
             FrameReader reader = new FrameReader(in, settings.maxFrameBytes(), frameMemory(memory))) {
            writer = new FrameWriter(Channels.newOutputStream(channel));
            log.debug("connection open");
            for (Frame frame; (frame = reader.read()) != null; ) {
                lastActivity = System.nanoTime();
                Command command = CommandCodec.decode(frame);
                // a body chunk holds the frame's own array (no copy), everything else copies of what it keeps;
                // either way an idle connection holds nothing shared
                reader.releaseFrame();
                if (!handle(command)) {
                    break;
                }
                if (command instanceof Command.BodyChunk) {
                    reader.recycle(frame); // its bytes are in the spool now (or were refused and dropped)
                } else if (!inMessage) {
                    reader.recycle(null); // between messages a connection holds no buffer
                }
            }
            if (inMessage && !closed.get()) {
                log.warn("MTA closed the connection in the middle of a message; message abandoned");
            } else {
                log.debug("connection closed");
            }
        } catch (MilterProtocolException e) {
            // the text may quote what the peer sent (a command byte, a header name)
            log.warn("milter protocol error from MTA: {}; closing this connection", LogSafe.escape(e.getMessage()));
        } catch (ClosedChannelException e) {
            log.debug("connection closed by direct-milter");
        } catch (IOException e) {
            log.warn("connection lost{}: {}", inMessage ? " in the middle of a message" : "", LogSafe.escape(e.getMessage()));
        } catch (RuntimeException e) {
            log.error("unexpected failure; closing this connection", e);
        } finally {
            discardMessage();
            close();
            MDC.remove("session");
        }
    }

    /** Frames being read take from the same budget as bodies in memory. */
    static FrameMemory frameMemory(MemoryBudget memory) {
        return new FrameMemory() {
            @Override
            public boolean tryReserve(long bytes) {
                return memory.tryReserve(bytes);
            }

            @Override
            public void release(long bytes) {
                memory.release(bytes);
            }
        };
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
            requireSmall(m.values().entrySet().stream().mapToLong(e -> e.getKey().length() + e.getValue().length())
                    .sum(), MAX_MACRO_CHARS, "macros for one stage");
            MacroStage.forCommand(m.stage()).ifPresentOrElse(stage -> {
                macros.put(stage, m.values());
                pendingMacro = stage;
            }, () -> log.debug("ignoring macros for unknown stage '{}'", LogSafe.escape(m.stage())));
        } else if (command instanceof Command.Connect c) {
            requireSmall((long) c.hostname().length() + c.address().length(), MAX_ENVELOPE_CHARS, "client host name");
            client = new Client(c.hostname(), Client.Family.of(c.family()), c.port(), c.address());
            reply(ask(() -> handler.connect(client, macros)), ProtocolFlags.NO_REPLY_CONNECT);
        } else if (command instanceof Command.Helo h) {
            requireSmall(h.name().length(), MAX_ENVELOPE_CHARS, "HELO name");
            helo = h.name();
            reply(Verdict.CONTINUE, ProtocolFlags.NO_REPLY_HELO);
        } else if (command instanceof Command.Mail m) {
            startMessage(m, macroBefore == MacroStage.MAIL);
        } else if (command instanceof Command.Recipient r) {
            recipient(r);
        } else if (command instanceof Command.Data) {
            reply(Verdict.CONTINUE, ProtocolFlags.NO_REPLY_DATA);
        } else if (command instanceof Command.Header h) {
            requireTransaction("header");
            header(h);
            if (!agreed.has(ProtocolFlags.NO_REPLY_HEADER)) {
                reply(refusalOr(Verdict.CONTINUE), ProtocolFlags.NO_REPLY_HEADER);
            }
        } else if (command instanceof Command.EndOfHeaders) {
            requireTransaction("end of headers");
            reply(refusalOr(Verdict.CONTINUE), ProtocolFlags.NO_REPLY_EOH);
        } else if (command instanceof Command.BodyChunk b) {
            requireTransaction("body");
            if (refusal == null) {
                body.append(b.chunk());
            }
            if (!agreed.has(ProtocolFlags.NO_REPLY_BODY)) {
                // a refusal was answered at the end of headers already; an MTA that sends on hears it again
                reply(refusalOr(Verdict.CONTINUE), ProtocolFlags.NO_REPLY_BODY);
            }
        } else if (command instanceof Command.EndOfMessage e) {
            requireTransaction("end of message");
            if (refusal != null) {
                refuseMessage();
            } else {
                body.append(e.chunk());
                endOfMessage();
            }
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
        if (!wellFormed(mail.sender(), mail.parameters())) {
            log.warn("refused MAIL: the sender has CR, LF or NUL or is longer than {} characters; answering {}",
                    MAX_ENVELOPE_CHARS, BAD_SENDER);
            reply(Verdict.reject(BAD_SENDER), ProtocolFlags.NO_REPLY_MAIL);
            return;
        }
        transaction = new Transaction(client, helo, macros, new EnvelopeAddress(mail.sender(), mail.parameters()));
        headers = new ArrayList<>();
        headerBytes = 0;
        recipientCommands = 0;
        recipientChars = 0;
        recipientsExceeded = false;
        refusal = null;
        body = new SpooledBody(settings.spoolThresholdBytes(), settings.spoolDirectory(), memory);
        inMessage = true;
        Transaction tx = transaction;
        Verdict verdict = ask(() -> handler.mail(tx));
        reply(verdict, ProtocolFlags.NO_REPLY_MAIL);
        if (!(verdict instanceof Verdict.Continue)) {
            // the MTA sends nothing more for this message: it is over for us too
            discardMessage();
        }
    }

    private void recipient(Command.Recipient r) throws IOException {
        Transaction tx = requireTransaction("RCPT");
        if (!wellFormed(r.recipient(), r.parameters())) {
            log.warn("refused RCPT: the recipient has CR, LF or NUL or is longer than {} characters; answering {}",
                    MAX_ENVELOPE_CHARS, BAD_RECIPIENT);
            reply(Verdict.reject(BAD_RECIPIENT), ProtocolFlags.NO_REPLY_RCPT);
            return;
        }
        // Counts every RCPT, refused or not: each may cost the handler a certificate lookup.
        recipientCommands++;
        recipientChars += r.recipient().length() + r.parameters().stream().mapToInt(String::length).sum();
        if (recipientCommands > settings.limits().maxRecipients() || recipientChars > MAX_RECIPIENT_CHARS) {
            if (!recipientsExceeded) {
                recipientsExceeded = true;
                log.warn("more than {} recipients (MaxRecipients) or {} characters of them; answering {} to each"
                        + " further one", settings.limits().maxRecipients(), MAX_RECIPIENT_CHARS, TOO_MANY_RECIPIENTS);
            }
            reply(Verdict.tempfail(TOO_MANY_RECIPIENTS), ProtocolFlags.NO_REPLY_RCPT);
            return;
        }
        EnvelopeAddress recipient = new EnvelopeAddress(r.recipient(), r.parameters());
        Verdict verdict = ask(() -> handler.recipient(tx, recipient));
        if (verdict instanceof Verdict.Continue || verdict instanceof Verdict.Accept) {
            tx.addRecipient(recipient);
        }
        reply(verdict, ProtocolFlags.NO_REPLY_RCPT);
    }

    /**
     * An envelope argument a handler and a log line may see: no line break or NUL (which could forge a log
     * line or an SMTP command downstream) and not longer than any MTA sends.
     */
    static boolean wellFormed(String address, List<String> parameters) {
        long chars = 0;
        for (int i = -1; i < parameters.size(); i++) {
            String value = i < 0 ? address : parameters.get(i);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                return false;
            }
            chars += value.length();
        }
        return chars <= MAX_ENVELOPE_CHARS;
    }

    /** Keeps the header unless the message broke a header limit; past a limit nothing more is kept. */
    private void header(Command.Header h) throws MilterProtocolException {
        if (refusal != null) {
            return;
        }
        MessageLimits limits = settings.limits();
        long size = (long) h.name().length + h.value().length;
        if (headers.size() >= limits.maxHeaderFields()) {
            refuse(TOO_MANY_HEADER_FIELDS, "more than " + limits.maxHeaderFields() + " header fields (MaxHeaderFields)");
        } else if (headerBytes + size > limits.maxHeaderBytes()) {
            refuse(HEADER_TOO_LARGE, "header fields of more than " + limits.maxHeaderBytes() + " bytes (MaxHeaderBytes)");
        } else {
            String name = CommandCodec.text(h.name());
            if (!HeaderField.validName(name)) {
                throw new MilterProtocolException("header field name empty or with ':', CR, LF or NUL");
            }
            headers.add(new HeaderField(name, headerValue(h.value())));
            headerBytes += size;
        }
    }

    /** From now on every step of this message is answered with {@code reply}; what it held is let go. */
    private void refuse(SmtpReply reply, String why) {
        log.warn("message refused: {}; answering {}", why, reply);
        refusal = reply;
        headers.clear();
        body.close();
    }

    private Verdict refusalOr(Verdict verdict) {
        return refusal == null ? verdict : Verdict.of(refusal);
    }

    private void refuseMessage() throws IOException {
        send(response(Verdict.of(refusal)));
        writer.flush();
        discardMessage();
        macros.clearMessageStages();
        if (closeRequested) {
            close();
        }
    }

    /**
     * What a connection keeps for its whole life (client, HELO, macros) is small in any real MTA; larger is
     * a peer trying to fill our memory one connection at a time.
     */
    private static void requireSmall(long chars, int limit, String what) throws MilterProtocolException {
        if (chars > limit) {
            throw new MilterProtocolException(what + " of " + chars + " characters, more than " + limit);
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
        } catch (VirtualMachineError e) {
            if (FatalErrors.isFatal(e)) {
                throw e; // the server ends the process
            }
            log.error("handler failed; answering {}", INTERNAL_ERROR, e);
            return Verdict.tempfail(INTERNAL_ERROR);
        } catch (Exception | Error e) {
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

    static Response response(Verdict verdict) {
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
            result = endOfMessageCall.callOrTimeOut(message, () -> {
                send(new Response.Progress());
                writer.flush();
            });
        } finally {
            working = false;
        }
        try {
            new ModificationWriter(writer, agreed, () -> lastActivity = System.nanoTime()).write(result);
        } finally {
            EndOfMessageCall.release(result);
        }
        discardMessage();
        macros.clearMessageStages();
        if (closeRequested) {
            close();
        }
    }

    private void send(Response response) throws IOException {
        writer.write(ResponseCodec.encode(response));
        lastActivity = System.nanoTime();
    }

    private void discardMessage() {
        transaction = null;
        headers = null;
        refusal = null;
        inMessage = false;
        if (body != null) {
            body.close();
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
