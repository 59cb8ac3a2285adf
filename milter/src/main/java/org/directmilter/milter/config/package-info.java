/**
 * The configuration file: every key with its type, default and reload behaviour
 * ({@link org.directmilter.milter.config.ConfigKeys}), the loader that reports every error with its line,
 * the validated {@link org.directmilter.milter.config.MilterConfig}, and the value types keys share.
 *
 * <p>May import the settings records of {@code crypto}, {@code resolver} and {@code server} to convert
 * values into them; never {@code session}, {@code policy}, {@code daemon} or {@code cli}, which read the
 * configuration and must not be read by it.
 */
package org.directmilter.milter.config;
