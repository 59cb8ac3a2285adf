package org.directmilter.resolver;

/** Which discovery step produced a certificate: the address's own name, or its domain's. */
public enum Binding {
    ADDRESS, DOMAIN
}
