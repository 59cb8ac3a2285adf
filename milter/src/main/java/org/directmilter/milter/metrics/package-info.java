/**
 * Metrics: counters of the daemon's decisions, served in the Prometheus text format on a loopback
 * address ({@code MetricsAddress}), off by default.
 */
package org.directmilter.milter.metrics;
