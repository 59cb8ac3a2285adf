package org.directmilter.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DirectAddressTest {

    @Test
    void lowerCasesBothPartsAndDropsBracketsAndTrailingDot() {
        DirectAddress a = DirectAddress.parse("<John.Smith@Example.ORG.>");
        assertThat(a.localPart()).isEqualTo("john.smith");
        assertThat(a.domain()).isEqualTo("example.org");
        assertThat(a).hasToString("john.smith@example.org");
    }

    @Test
    void internationalDomainBecomesALabels() {
        assertThat(DirectAddress.parse("bob@bücher.example").domain()).isEqualTo("xn--bcher-kva.example");
    }

    @Test
    void quotedLocalPartIsUnquoted() {
        assertThat(DirectAddress.parse("\"john smith\"@example.org").localPart()).isEqualTo("john smith");
    }

    @Test
    void notAnAddressIsRefused() {
        assertThatThrownBy(() -> DirectAddress.parse("example.org")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DirectAddress.parse("@example.org")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DirectAddress.parse("bob@")).isInstanceOf(IllegalArgumentException.class);
    }
}
