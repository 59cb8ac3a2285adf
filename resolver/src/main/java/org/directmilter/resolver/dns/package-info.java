/**
 * DNS CERT records (RFC 4398) from explicit nameservers: the client (UDP, then TCP on truncation, next server
 * on failure), owner names for an address, reading PKIX records and fetching IPKIX URLs, and the zone line
 * that publishes a certificate.
 *
 * <p>Imports only the resolver's own lookup types; like all of resolver, never crypto or milter.
 */
package org.directmilter.resolver.dns;
