/**
 * Certificate discovery in LDAP, the Direct step after DNS CERT (Applicability Statement §5, DCDT
 * D3–D16): the servers named by {@code _ldap._tcp} SRV records, asked anonymously through the JDK's
 * JNDI LDAP provider, for {@code userCertificate} and {@code userSMIMECertificate} of the entries whose
 * {@code mail} is the address or its domain.
 *
 * <p>Uses only the resolver's own DNS client (never the system resolver) and {@code java.naming}; it
 * knows nothing of trust, which the caller of {@link org.directmilter.resolver.CertificateDiscovery}
 * judges.
 */
package org.directmilter.resolver.ldap;
