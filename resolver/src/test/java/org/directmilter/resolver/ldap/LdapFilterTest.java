package org.directmilter.resolver.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LdapFilterTest {

    @Test
    void plainAddressIsUnchanged() {
        assertThat(LdapFilter.mailEquals("bob@example.org")).isEqualTo("(mail=bob@example.org)");
    }

    @Test
    void filterMetacharactersAreEscapedSoTheyCannotWidenTheSearch() {
        assertThat(LdapFilter.mailEquals("*)(mail=*@example.org"))
                .isEqualTo("(mail=\\2a\\29\\28mail=\\2a@example.org)");
        assertThat(LdapFilter.escape("a\\b\u0000c")).isEqualTo("a\\5cb\\00c");
    }

    @Test
    void nonAsciiIsEscapedAsUtf8Octets() {
        assertThat(LdapFilter.escape("é")).isEqualTo("\\c3\\a9");
    }
}
