/**
 * The daemon's life: {@link org.directmilter.milter.daemon.DaemonRunner} loads the configuration, binds the
 * socket, assembles the server, session factory and Direct handler, reloads and drains;
 * {@link org.directmilter.milter.daemon.DirectMilterDaemon} is the jsvc entry point around it. Also the
 * checks of the host environment, exit statuses and the journald log format.
 *
 * <p>The one place that wires the other packages together; nothing of ours but {@code cli} imports it.
 */
package org.directmilter.milter.daemon;
