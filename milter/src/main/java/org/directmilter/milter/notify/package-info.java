/**
 * Delivery notifications a Direct HISP sends about mail it received (RFC 3798 MDNs): what is reported
 * for a message ({@link org.directmilter.milter.notify.Notifier}), the report itself
 * ({@link org.directmilter.milter.notify.Mdn}) and its hand-off to the local MTA
 * ({@link org.directmilter.milter.notify.CommandSubmission}, or over SMTP to a loopback listener with
 * {@link org.directmilter.milter.notify.SmtpSubmission}), whose queue holds it and whose milter pass
 * signs and encrypts it like any outgoing Direct message.
 *
 * <p>It knows nothing of the milter protocol or the policy: the policy hands it the facts of a verified
 * message and audits the {@link org.directmilter.milter.notify.Notice}s it returns.
 */
package org.directmilter.milter.notify;
