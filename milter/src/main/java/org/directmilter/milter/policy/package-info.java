/**
 * The Direct Security/Trust Agent policy: which way a message goes, which recipients can be reached,
 * what is protected or unprotected at end of message, and the SMTP reply and audit line for every
 * outcome. {@link org.directmilter.milter.policy.DirectHandler} joins discovery (resolver), trust and
 * S/MIME (crypto) behind the milter session's {@code MessageHandler} seam.
 *
 * <p>It never imports {@code protocol}, {@code server}, {@code daemon} or {@code cli}: it sees the MTA only
 * through the session's values, and is handed its settings and collaborators by the daemon.
 */
package org.directmilter.milter.policy;
