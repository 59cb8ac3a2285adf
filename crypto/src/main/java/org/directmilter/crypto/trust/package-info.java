/**
 * Whether a certificate may be used by a local domain: trust anchors per domain and direction
 * ({@link org.directmilter.crypto.trust.AnchorStore}, reloaded while the daemon runs), path building,
 * revocation and AIA issuers over HTTP fetches bounded by one message's
 * {@link org.directmilter.crypto.trust.ValidationBudget}, and the checks of the Direct Applicability
 * Statement in {@link org.directmilter.crypto.trust.TrustValidator}.
 *
 * <p>Of ours, imports only {@code crypto.text} (log escaping). Like all of crypto, never imports resolver
 * or milter: discovery hands certificates to the validator through the caller.
 */
package org.directmilter.crypto.trust;
