/**
 * Where message bytes live while the daemon works on them: {@link org.directmilter.crypto.spool.Spool}
 * (memory up to a threshold and a shared {@link org.directmilter.crypto.spool.MemoryBudget}, then a
 * private 0600 file that closing deletes) and {@link org.directmilter.crypto.spool.SpoolFiles}, the sweep
 * of files a dead process left behind. Plaintext of decrypted mail is stored nowhere else.
 *
 * <p>Imports nothing else of ours, so both the S/MIME engine and the milter session use it.
 */
package org.directmilter.crypto.spool;
