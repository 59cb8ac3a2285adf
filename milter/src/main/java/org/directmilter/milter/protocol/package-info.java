/**
 * The milter wire protocol (version 6, as Postfix and Sendmail speak it): frames, the commands the MTA
 * sends and the responses a milter returns, their codecs, and option negotiation.
 *
 * <p>Pure data and bytes: nothing here knows about sockets, sessions or policy. This package imports
 * nothing else of ours, so the MTA side ({@code client}) and the milter side ({@code session}) share it.
 */
package org.directmilter.milter.protocol;
