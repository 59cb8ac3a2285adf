/**
 * The MTA side of the milter protocol: {@link org.directmilter.milter.client.MilterClient} drives a milter
 * one command at a time, {@link org.directmilter.milter.client.Exchange} sends one whole message as
 * Postfix would, and {@link org.directmilter.milter.client.ChangedMessage} applies the changes the milter
 * asked for. Used by {@code direct-milter probe}, the tests and the benchmarks.
 *
 * <p>Imports only {@code protocol} and {@code server} (for the socket syntax) of ours; never the session
 * or the policy it talks to, so it sees the milter exactly as an MTA does.
 */
package org.directmilter.milter.client;
