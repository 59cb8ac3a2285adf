/**
 * The {@code direct-milter} command and its subcommands (picocli): {@code run}, {@code check},
 * {@code probe}, {@code lookup}, {@code anchors}, {@code dns-record}, {@code protect}, {@code unprotect},
 * {@code demo}. Each subcommand is a thin front over the packages that do the work, reading the
 * configuration the way the daemon does.
 *
 * <p>The outermost layer: it may import any package of ours, and none of ours imports it.
 */
package org.directmilter.milter.cli;
