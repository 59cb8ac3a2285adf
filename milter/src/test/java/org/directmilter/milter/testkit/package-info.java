/**
 * The fixtures tests share: throwaway MTAs ({@link org.directmilter.milter.testkit.PostfixInstance},
 * {@link org.directmilter.milter.testkit.SendmailInstance}, both an {@link org.directmilter.milter.testkit.Mta})
 * relaying to their own smtp-sink, an {@link org.directmilter.milter.testkit.SmtpClient}, our server with one
 * handler ({@link org.directmilter.milter.testkit.RunningMilter}), the real daemon in a child JVM
 * ({@link org.directmilter.milter.testkit.DaemonProcess}), a Direct deployment on disk with openssl as the
 * partner HISP, miltertest, and {@link org.directmilter.milter.testkit.Poll}, the one way a test waits.
 *
 * <p>Fixtures and their own tests only: the integration tests that use them live in
 * {@code org.directmilter.milter.it}, which nothing here (or anywhere else outside it) imports. The kit is
 * also published as milter's test-jar for the packaging module's tests.
 */
package org.directmilter.milter.testkit;
