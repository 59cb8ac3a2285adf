/**
 * {@code direct-milter demo}: a throwaway test PKI for two Direct domains, its files laid out on disk, the
 * configuration that uses them, and the instructions printed for the operator.
 *
 * <p>Imports nothing else of ours: it writes files the daemon later reads like any operator's, so the demo
 * proves the real configuration path. Never imported by the daemon or the policy.
 */
package org.directmilter.milter.demo;
