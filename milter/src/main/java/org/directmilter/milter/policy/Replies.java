package org.directmilter.milter.policy;

import org.directmilter.milter.session.SmtpReply;

/**
 * Every SMTP reply the Direct policy gives (RFC 3463 enhanced codes), in one place so the docs' reply
 * table and the code cannot disagree. Texts name the recipient or sender concerned and the reason, never
 * message content.
 */
final class Replies {

    /** Reason texts are cut here so a reply line stays well inside SMTP's 512-byte limit. */
    private static final int MAX_REASON = 200;

    private Replies() {
    }

    static SmtpReply noCertificate(String recipient) {
        return new SmtpReply(550, "5.7.1", "Direct: no certificate found for <" + recipient + ">");
    }

    static SmtpReply untrustedRecipient(String recipient, String why) {
        return new SmtpReply(550, "5.7.1", "Direct: no valid trusted certificate for <" + recipient + ">: "
                + shorten(why));
    }

    static SmtpReply dnsFailure(String recipient, String why) {
        return new SmtpReply(451, "4.4.3", "Direct: certificate lookup for <" + recipient + "> failed, try again later: "
                + shorten(why));
    }

    static SmtpReply noSenderKey(String sender) {
        return new SmtpReply(550, "5.7.1", "Direct: no private key for sender <" + sender + ">");
    }

    static SmtpReply separateTransaction(String recipient) {
        return new SmtpReply(452, "4.5.3", "Direct: send to <" + recipient + "> in a separate message");
    }

    static SmtpReply nonDirect() {
        return new SmtpReply(550, "5.7.1", "Direct: this server accepts only Direct mail for its own domains");
    }

    static SmtpReply senderMismatch(String envelopeSender) {
        return new SmtpReply(550, "5.7.1", "Direct: envelope sender <" + envelopeSender
                + "> is not the message's From or Sender");
    }

    static SmtpReply recipientNotAddressed(String recipient) {
        return new SmtpReply(550, "5.7.1", "Direct: envelope recipient <" + recipient
                + "> is not in the message's To or Cc");
    }

    static SmtpReply unprotected() {
        return new SmtpReply(550, "5.7.1", "Direct: message must be signed and encrypted");
    }

    static SmtpReply undecryptable(String why) {
        return new SmtpReply(554, "5.7.5", "Direct: cannot decrypt: " + shorten(why));
    }

    /**
     * Every failure from decryption on (padding, tag, key, inner MIME, signature): one constant text, so
     * that the reply tells a sender nothing about the plaintext.
     */
    static SmtpReply notVerified() {
        return new SmtpReply(554, "5.7.5", "Direct: message could not be decrypted or verified");
    }

    static SmtpReply weakAlgorithm(String why) {
        return new SmtpReply(554, "5.7.6", "Direct: algorithm not allowed: " + shorten(why));
    }

    static SmtpReply malformed(String why) {
        return new SmtpReply(554, "5.6.0", "Direct: malformed message: " + shorten(why));
    }

    static SmtpReply untrustedSigner(String why) {
        return new SmtpReply(550, "5.7.1", "Direct: sender not trusted: " + shorten(why));
    }

    static SmtpReply internalError() {
        return new SmtpReply(451, "4.3.0", "Direct: internal error, try again later");
    }

    static SmtpReply notificationAddress(String address) {
        return new SmtpReply(550, "5.7.1", "Direct: <" + address + "> takes reports from this host only");
    }

    static SmtpReply notificationFailed() {
        return new SmtpReply(451, "4.3.0", "Direct: cannot send the delivery notification, try again later");
    }

    static SmtpReply trackingFailed() {
        return new SmtpReply(451, "4.3.0", "Direct: cannot record the message for delivery tracking, try again later");
    }

    static SmtpReply cannotProtect(String why) {
        return new SmtpReply(554, "5.7.1", "Direct: cannot protect message: " + shorten(why));
    }

    static SmtpReply badAddress(String recipient) {
        return new SmtpReply(550, "5.1.3", "Direct: <" + recipient + "> is not a usable Direct address");
    }

    static SmtpReply untrustedClient(String sender) {
        return new SmtpReply(550, "5.7.1", "Direct: mail from <" + sender
                + "> must be sent through an authenticated or internal client");
    }

    /** The same reply as a 5xx: what a {@code reject} failure action answers for a condition that is 4xx by nature. */
    static SmtpReply permanent(SmtpReply reply) {
        if (!reply.temporary()) {
            return reply;
        }
        return new SmtpReply(550, "5" + reply.enhancedStatus().substring(1), reply.text());
    }

    /** The same reply as a 4xx: what a {@code tempfail} failure action answers. */
    static SmtpReply temporary(SmtpReply reply) {
        if (reply.temporary()) {
            return reply;
        }
        return new SmtpReply(451, "4" + reply.enhancedStatus().substring(1), reply.text());
    }

    private static String shorten(String reason) {
        String oneLine = reason.replaceAll("[\\r\\n\\x00]+", " ").strip();
        return oneLine.length() <= MAX_REASON ? oneLine : oneLine.substring(0, MAX_REASON - 3) + "...";
    }
}
