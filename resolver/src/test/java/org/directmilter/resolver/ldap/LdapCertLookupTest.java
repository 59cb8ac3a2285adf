package org.directmilter.resolver.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.directmilter.resolver.DirectAddress;
import org.directmilter.resolver.OwnerNameMode;
import org.directmilter.resolver.dns.OwnerNames;
import org.directmilter.resolver.ldap.LdapCertLookup.Target;
import org.junit.jupiter.api.Test;

class LdapCertLookupTest {

    @Test
    void serversInPriorityOrderThenHeaviestFirst() {
        List<Target> ordered = LdapCertLookup.order(List.of(new Target(1, 0, 1, "c."), new Target(0, 0, 2, "b."),
                new Target(0, 100, 3, "a."), new Target(2, 50, 4, "d.")));

        assertThat(ordered).extracting(Target::host).containsExactly("a.", "b.", "c.", "d.");
    }

    @Test
    void ldapOwnerKeysAreTheirOwnAndNeverADnsOwnerName() {
        String owner = LdapCertLookup.owner("bob@example.org");

        assertThat(owner).isEqualTo("ldap:(mail=bob@example.org)");
        assertThat(LdapCertLookup.isOwner(owner)).isTrue();
        DirectAddress tricky = DirectAddress.parse("\"ldap:(mail=x)\"@example.org");
        assertThat(OwnerNames.addressBound(tricky, OwnerNameMode.BOTH)).noneMatch(LdapCertLookup::isOwner);
        assertThat(LdapCertLookup.isOwner(OwnerNames.domainBound(DirectAddress.parse("x@example.org")))).isFalse();
    }
}
