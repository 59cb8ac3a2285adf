package org.directmilter.resolver.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.directmilter.resolver.DirectAddress;
import org.directmilter.resolver.OwnerNameMode;
import org.junit.jupiter.api.Test;

class OwnerNamesTest {

    private static DirectAddress a(String s) {
        return DirectAddress.parse(s);
    }

    @Test
    void plainLocalPartGivesOneNameInEveryMode() {
        for (OwnerNameMode mode : OwnerNameMode.values()) {
            assertThat(OwnerNames.addressBound(a("Bob@Example.org"), mode)).containsExactly("bob.example.org.");
        }
    }

    @Test
    void dottedLocalPartGivesNaiveThenEscapedForm() {
        assertThat(OwnerNames.addressBound(a("john.smith@example.org"), OwnerNameMode.BOTH))
                .containsExactly("john.smith.example.org.", "john\\.smith.example.org.");
        assertThat(OwnerNames.addressBound(a("john.smith@example.org"), OwnerNameMode.NAIVE))
                .containsExactly("john.smith.example.org.");
        assertThat(OwnerNames.addressBound(a("john.smith@example.org"), OwnerNameMode.ESCAPED))
                .containsExactly("john\\.smith.example.org.");
    }

    @Test
    void otherOctetsAreEscapedAsDecimal() {
        assertThat(OwnerNames.addressBound(a("a+b@example.org"), OwnerNameMode.NAIVE))
                .containsExactly("a+b.example.org."); // printable octets need no escape in presentation form
        assertThat(OwnerNames.escapeLabel("é")).isEqualTo("\\195\\169");
    }

    @Test
    void localPartThatCannotBeALabelSkipsTheAddressStep() {
        String tooLong = "x".repeat(64);
        assertThat(OwnerNames.addressBound(a(tooLong + "@example.org"), OwnerNameMode.BOTH)).isEmpty();
        // empty labels rule out the naive form only
        assertThat(OwnerNames.addressBound(a("a..b@example.org"), OwnerNameMode.BOTH))
                .containsExactly("a\\.\\.b.example.org.");
        assertThat(OwnerNames.addressBound(a(".a@example.org"), OwnerNameMode.NAIVE)).isEmpty();
    }

    @Test
    void nameOver255OctetsSkipsTheAddressStep() {
        String domain = ("d".repeat(60) + ".").repeat(3) + "example.org";
        assertThat(OwnerNames.addressBound(a("y".repeat(63) + "@" + domain), OwnerNameMode.BOTH)).isEmpty();
        assertThat(OwnerNames.domainBound(a("y@" + domain))).isEqualTo(domain + ".");
    }
}
