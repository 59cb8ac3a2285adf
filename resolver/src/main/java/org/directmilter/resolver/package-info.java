/**
 * Certificate discovery for Direct addresses: the operator's certificate directory, then DNS CERT
 * records (RFC 4398), address-bound then domain-bound, with the no-fallback rule, over a shared cache.
 *
 * <p>The entry point is {@link org.directmilter.resolver.CertificateDiscovery}; its answer is a
 * {@link org.directmilter.resolver.DiscoveryResult}. Nothing here knows about trust anchors: the caller
 * passes a usability test (the trust validator) with every discovery.
 *
 * <p>Resolver never imports crypto or milter, and crypto never imports resolver: the milter's policy joins
 * the two.
 */
package org.directmilter.resolver;
