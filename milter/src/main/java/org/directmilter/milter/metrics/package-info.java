/**
 * Metrics: the daemon's decisions, latencies, discovery and trust events counted, and what it holds
 * now ({@link org.directmilter.milter.metrics.DaemonGauges}) read at each scrape, served in the
 * Prometheus text format on a loopback address ({@code MetricsAddress}), off by default. Imports
 * nothing of ours: the daemon package turns the lower modules' listener events into these calls.
 */
package org.directmilter.milter.metrics;
