/**
 * Whether a certificate may be used: anchors loaded from disk ({@link org.directmilter.crypto.trust.AnchorStore}),
 * path building, binding, key and algorithm policy, CRL revocation and AIA issuers fetched within one
 * message's {@link org.directmilter.crypto.trust.ValidationBudget}, judged by
 * {@link org.directmilter.crypto.trust.TrustValidator} into a {@link org.directmilter.crypto.trust.ValidationResult}.
 */
package org.directmilter.crypto.trust;
