/**
 * Build-time generation of the files the .deb and .rpm install that are derived rather than copied: the
 * gzipped man pages, direct-milter.conf(5) with one entry per configuration key, and the packaged
 * configuration file.
 *
 * <p>Imports only {@code milter.config} of ours (the keys it documents); nothing imports it, and it never
 * runs inside the daemon.
 */
package org.directmilter.packaging;
