/**
 * Trust bundles: anchor sets a trust community publishes (a PKCS#7 certs-only {@code .p7b}, optionally
 * wrapped in a CMS signature of the bundle operator), fetched over HTTPS or from a file, verified, applied
 * atomically to the local domains and directions the operator configured, and kept current by a refresher.
 *
 * <p>{@link org.directmilter.crypto.trust.bundle.TrustBundles} holds the copies in force and is an
 * {@link org.directmilter.crypto.trust.AnchorSource}; {@link org.directmilter.crypto.trust.bundle.BundleFetcher}
 * gets the bytes, {@link org.directmilter.crypto.trust.bundle.BundleReader} turns them into anchors, and
 * {@link org.directmilter.crypto.trust.bundle.BundleStateDir} keeps the last good copy on disk so a restart
 * works without the network. Nothing here adds a bundle: only configuration does.
 */
package org.directmilter.crypto.trust.bundle;
