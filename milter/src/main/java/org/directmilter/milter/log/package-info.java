/**
 * How untrusted values are written into log lines: {@link org.directmilter.milter.log.LogText} escapes
 * every character that could end a line or disguise one, for free text and for the audit line's
 * {@code key=value} fields alike. Imports nothing else of ours, so every layer can use it.
 */
package org.directmilter.milter.log;
