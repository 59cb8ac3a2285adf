/**
 * The shared discovery cache in front of DNS: one entry per owner name, positive answers kept for their
 * TTL and negative ones for the SOA minimum, both clamped, concurrent lookups of one name joined.
 *
 * <p>Imports only the resolver's own lookup types; like all of resolver, never crypto or milter.
 */
package org.directmilter.resolver.cache;
