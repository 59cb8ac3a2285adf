/**
 * The cryptographic half of the Security/Trust Agent: private keys ({@code keys}), S/MIME protection of
 * outgoing and unprotection of incoming messages ({@code smime}), and certificate trust ({@code trust}).
 *
 * <p>Crypto never imports resolver or milter, and resolver never imports crypto: the milter's policy joins
 * the two.
 */
package org.directmilter.crypto;
