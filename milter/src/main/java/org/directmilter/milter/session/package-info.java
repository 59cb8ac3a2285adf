/**
 * One MTA connection speaking the milter protocol: the per-connection state machine, the per-message
 * {@link org.directmilter.milter.session.Transaction}, and the seam to policy,
 * {@link org.directmilter.milter.session.MessageHandler}, with the values a handler answers in (verdicts,
 * {@link org.directmilter.milter.session.SmtpReply}, {@link org.directmilter.milter.session.Modification}).
 *
 * <p>Imports only {@code protocol}, {@code server} and {@code crypto.spool} (where message bytes live) of ours.
 * It never imports policy, config, the rest of crypto or resolver: a handler is handed in, so the protocol
 * can be tested with any handler.
 */
package org.directmilter.milter.session;
