package org.directmilter.milter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.testpki.TestPki.Issued;
import org.directmilter.crypto.trust.Anchor;
import org.directmilter.crypto.trust.AnchorOrigin;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.crypto.trust.ValidationResult;
import org.junit.jupiter.api.Test;

/** The audit line names the anchor that decided, and the trust bundle it came from. */
class CertificateIdentityTest {

    static final Issued ROOT = TestPki.root("Community Member Root");
    static final Issued LEAF = TestPki.cert("alice", TestPki.rsa("alice")).issuer(ROOT).build();

    static ValidationResult decidedBy(Anchor anchor) {
        return new ValidationResult(LEAF.cert(), List.of(LEAF.cert()), Optional.of(anchor), List.of(), List.of());
    }

    @Test
    void anAnchorFromABundleIsNamedWithItsBundle() {
        Anchor fromBundle = new Anchor(ROOT.cert(), new AnchorOrigin.Bundle("community",
                "https://bundles.example.org/c.p7b", Instant.parse("2026-12-06T00:00:00Z"), "ab12"),
                Optional.of("hisp.example.org"), Direction.INCOMING);

        assertThat(CertificateIdentity.describe(decidedBy(fromBundle)))
                .endsWith(",anchor:" + ROOT.cert().getSubjectX500Principal().getName() + ",bundle:community");
    }

    @Test
    void anAnchorFromAFileNamesNoBundle() {
        Anchor fromFile = new Anchor(ROOT.cert(), Path.of("/etc/direct-milter/anchors/x.pem"),
                Optional.of("hisp.example.org"), Direction.INCOMING);

        assertThat(CertificateIdentity.describe(decidedBy(fromFile))).doesNotContain("bundle:")
                .endsWith(",anchor:" + ROOT.cert().getSubjectX500Principal().getName());
    }
}
