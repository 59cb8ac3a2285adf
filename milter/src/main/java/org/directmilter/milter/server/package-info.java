/**
 * Accepting MTA connections: where the milter listens ({@link org.directmilter.milter.server.SocketSpec}),
 * the accept loop with its connection limit, idle reaping and graceful drain
 * ({@link org.directmilter.milter.server.MilterServer}), and the seam that turns an accepted socket into a
 * served connection ({@link org.directmilter.milter.server.ConnectionFactory}).
 *
 * <p>This package imports nothing else of ours: it serves any connection, not only a milter session.
 */
package org.directmilter.milter.server;
