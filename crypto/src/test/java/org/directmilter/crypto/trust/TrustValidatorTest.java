package org.directmilter.crypto.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.directmilter.crypto.trust.Problem.Kind;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.testpki.TestPki.Issued;
import org.junit.jupiter.api.Test;

/** The validator without the network: paths, binding, usage, key and algorithm policy. */
class TrustValidatorTest {

    static final String LOCAL = "hisp.example.org";
    static final Issued ROOT = TestPki.root("Partner Root");
    static final Issued INTER = TestPki.intermediate("Partner Issuing CA", ROOT);
    static final Issued OTHER_ROOT = TestPki.root("Other Root");

    final List<Anchor> anchors = new ArrayList<>();
    final TrustValidator validator = new TrustValidator(
            (domain, direction) -> anchors.stream()
                    .filter(a -> a.direction() == direction && a.domain().equals(Optional.of(domain))).toList(),
            TrustSettings.defaults().withFetchTimeout(Duration.ofMillis(500), Duration.ofSeconds(1)));

    static TestPki.Builder leaf(String cn) {
        return TestPki.cert(cn, TestPki.rsa("leaf")).issuer(INTER)
                .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)
                .eku(KeyPurposeId.id_kp_emailProtection);
    }

    void anchor(Issued ca, Direction direction) {
        anchors.add(new Anchor(ca.cert(), Path.of("test.pem"), Optional.of(LOCAL), direction));
    }

    ValidationResult outgoing(X509Certificate cert, String address, X509Certificate... intermediates) {
        return validator.validate(cert, Purpose.ENCRYPTION, address, LOCAL, Direction.OUTGOING, List.of(intermediates));
    }

    @Test
    void anAddressBoundCertificateChainsThroughAnIntermediateFromTheMessage() {
        anchor(ROOT, Direction.OUTGOING);
        Issued alice = leaf("alice").email("alice@partner.example").build();

        ValidationResult v = outgoing(alice.cert(), "Alice@Partner.Example", INTER.cert());

        assertThat(v.usable()).as(v.explanation()).isTrue();
        assertThat(v.chain()).containsExactly(alice.cert(), INTER.cert());
        assertThat(v.anchor()).get().extracting(Anchor::certificate).isEqualTo(ROOT.cert());
        assertThat(v.warnings()).as("nothing to wait for: used, with a warning").anySatisfy(w -> assertThat(w)
                .isEqualTo("names no CRL distribution point; not checked for revocation"));
        assertThat(validator.usableFor(Purpose.ENCRYPTION, "alice@partner.example", LOCAL, Direction.OUTGOING)
                .test(alice.cert())).as("no intermediate given: no path").isFalse();
    }

    @Test
    void anIncomingAnchorNeverValidatesOutgoing() {
        anchor(ROOT, Direction.INCOMING);
        Issued alice = leaf("alice").email("alice@partner.example").build();

        ValidationResult out = outgoing(alice.cert(), "alice@partner.example", INTER.cert());
        ValidationResult in = validator.validate(alice.cert(), Purpose.SIGNING, "alice@partner.example", LOCAL,
                Direction.INCOMING, List.of(INTER.cert()));

        assertThat(out.usable()).isFalse();
        assertThat(out.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.NO_TRUSTED_PATH);
            assertThat(p.explanation()).startsWith("no path to any outgoing anchor of hisp.example.org");
        });
        assertThat(in.usable()).as(in.explanation()).isTrue();
    }

    @Test
    void anAnchorNeedNotBeSelfSigned() {
        anchor(INTER, Direction.OUTGOING);
        Issued alice = leaf("alice").email("alice@partner.example").build();

        ValidationResult v = outgoing(alice.cert(), "alice@partner.example");

        assertThat(v.usable()).as(v.explanation()).isTrue();
        assertThat(v.chain()).containsExactly(alice.cert());
        assertThat(v.anchor().orElseThrow().certificate()).isEqualTo(INTER.cert());
    }

    @Test
    void aSelfSignedCopyOfTheAnchorsSubjectKeyIdAndSerialIsNotTrusted() throws Exception {
        anchor(ROOT, Direction.OUTGOING);
        byte[] ski = org.bouncycastle.asn1.x509.SubjectKeyIdentifier.getInstance(
                org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils.parseExtensionValue(
                        ROOT.cert().getExtensionValue("2.5.29.14"))).getKeyIdentifier();
        Issued forged = TestPki.cert("forged", TestPki.rsa("forger")).subject(ROOT.cert()).ca()
                .serial(ROOT.cert().getSerialNumber()).subjectKeyId(ski).build();
        Issued mallory = TestPki.cert("mallory", TestPki.rsa("leaf")).issuer(forged)
                .email("alice@partner.example").build();

        ValidationResult direct = outgoing(mallory.cert(), "alice@partner.example", forged.cert());
        ValidationResult itself = outgoing(forged.cert(), "alice@partner.example");

        assertThat(direct.usable()).isFalse();
        assertThat(direct.has(Kind.NO_TRUSTED_PATH)).isTrue();
        assertThat(direct.anchor()).isEmpty();
        assertThat(itself.has(Kind.NO_TRUSTED_PATH)).isTrue();
    }

    @Test
    void expiredAndNotYetValidCertificatesSayWhen() {
        anchor(ROOT, Direction.OUTGOING);
        Instant past = Instant.parse("2026-03-01T12:00:00Z").minus(400, ChronoUnit.DAYS);
        Issued expired = leaf("old").email("a@partner.example")
                .validity(past, Instant.parse("2026-03-01T12:00:00Z")).build();
        Issued future = leaf("new").email("a@partner.example")
                .validity(Instant.parse("2099-01-01T00:00:00Z"), Instant.parse("2100-01-01T00:00:00Z")).build();

        assertThat(outgoing(expired.cert(), "a@partner.example", INTER.cert()).problems())
                .containsExactly(new Problem(Kind.EXPIRED, "expired 2026-03-01"));
        assertThat(outgoing(future.cert(), "a@partner.example", INTER.cert()).problems())
                .containsExactly(new Problem(Kind.NOT_YET_VALID, "not valid before 2099-01-01"));
    }

    @Test
    void anExpiredIntermediateIsNamed() {
        anchor(ROOT, Direction.OUTGOING);
        Issued oldInter = TestPki.cert("Old Issuing CA", TestPki.rsa("old-inter")).issuer(ROOT).ca()
                .validity(Instant.now().minus(800, ChronoUnit.DAYS), Instant.now().minus(2, ChronoUnit.DAYS)).build();
        Issued alice = TestPki.cert("alice", TestPki.rsa("leaf")).issuer(oldInter).email("a@partner.example").build();

        ValidationResult v = outgoing(alice.cert(), "a@partner.example", oldInter.cert());

        assertThat(v.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.EXPIRED);
            assertThat(p.explanation()).startsWith("intermediate ").contains("Old Issuing CA").contains("expired");
        });
    }

    @Test
    void anExpiredAnchorConfersNoTrust() {
        Issued oldRoot = TestPki.cert("Old Root", TestPki.rsa("old-root")).ca()
                .validity(Instant.now().minus(800, ChronoUnit.DAYS), Instant.parse("2026-01-31T00:00:00Z")).build();
        anchor(oldRoot, Direction.OUTGOING);
        Issued alice = TestPki.cert("alice", TestPki.rsa("leaf")).issuer(oldRoot).email("a@partner.example").build();

        assertThat(outgoing(alice.cert(), "a@partner.example").problems()).containsExactly(
                new Problem(Kind.EXPIRED, "anchor CN=Old Root,O=Test expired 2026-01-31"));
    }

    @Test
    void addressBindingIsExactAndCaseInsensitive() {
        anchor(ROOT, Direction.OUTGOING);
        Issued bob = leaf("bob").email("bob@partner.example").build();
        Issued legacy = leaf("legacy").legacyEmail("carol@partner.example").build();
        Issued both = leaf("both").email("dave@partner.example").legacyEmail("eve@partner.example").build();

        assertThat(outgoing(bob.cert(), "alice@partner.example", INTER.cert()).problems())
                .containsExactly(new Problem(Kind.NOT_BOUND,
                        "rfc822Name bob@partner.example does not match alice@partner.example"));
        assertThat(outgoing(legacy.cert(), "CAROL@partner.example", INTER.cert()).usable()).isTrue();
        assertThat(outgoing(legacy.cert(), "dan@partner.example", INTER.cert()).has(Kind.NOT_BOUND)).isTrue();
        assertThat(outgoing(both.cert(), "dave@partner.example", INTER.cert()).problems())
                .singleElement().satisfies(p -> assertThat(p.explanation()).contains("differs from rfc822Name"));
    }

    @Test
    void domainBoundCertificatesMatchTheDomainAndWildcardsAreRefused() {
        anchor(ROOT, Direction.OUTGOING);
        Issued org = leaf("org").dns("Partner.Example").build();
        Issued wildcard = leaf("wild").dns("*.partner.example").dns("partner.example").build();

        assertThat(outgoing(org.cert(), "anyone@partner.EXAMPLE", INTER.cert()).usable()).isTrue();
        assertThat(outgoing(org.cert(), "partner.example", INTER.cert()).usable()).isTrue();
        assertThat(outgoing(org.cert(), "anyone@elsewhere.example", INTER.cert()).problems())
                .containsExactly(new Problem(Kind.NOT_BOUND,
                        "dNSName Partner.Example does not match elsewhere.example"));
        assertThat(outgoing(wildcard.cert(), "anyone@partner.example", INTER.cert()).problems())
                .containsExactly(new Problem(Kind.NOT_BOUND, "wildcard dNSName *.partner.example is refused"));
    }

    @Test
    void keyUsageAndExtendedKeyUsageAreCheckedForThePurpose() {
        anchor(ROOT, Direction.OUTGOING);
        anchor(ROOT, Direction.INCOMING);
        Issued signOnly = TestPki.cert("s", TestPki.rsa("leaf")).issuer(INTER).email("a@partner.example")
                .keyUsage(KeyUsage.digitalSignature).build();
        Issued tlsOnly = TestPki.cert("t", TestPki.rsa("leaf")).issuer(INTER).email("a@partner.example")
                .eku(KeyPurposeId.id_kp_serverAuth).build();

        assertThat(outgoing(signOnly.cert(), "a@partner.example", INTER.cert()).problems())
                .containsExactly(new Problem(Kind.KEY_USAGE, "keyUsage lacks keyEncipherment needed for encryption"));
        assertThat(validator.validate(signOnly.cert(), Purpose.SIGNING, "a@partner.example", LOCAL,
                Direction.INCOMING, List.of(INTER.cert())).usable()).isTrue();
        assertThat(outgoing(tlsOnly.cert(), "a@partner.example", INTER.cert()).problems())
                .containsExactly(new Problem(Kind.KEY_USAGE, "extendedKeyUsage lacks emailProtection"));
    }

    @Test
    void weakKeysAreRefusedAndP256IsAllowed() {
        anchor(ROOT, Direction.OUTGOING);
        Issued small = TestPki.cert("small", TestPki.rsa("small", 1024)).issuer(INTER).email("a@partner.example").build();
        Issued p256 = TestPki.cert("ec", TestPki.ec("ec", "secp256r1")).issuer(INTER).email("a@partner.example")
                .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement).build();
        Issued p521 = TestPki.cert("ec521", TestPki.ec("ec521", "secp521r1")).issuer(INTER)
                .email("a@partner.example").build();

        assertThat(outgoing(small.cert(), "a@partner.example", INTER.cert()).problems())
                .containsExactly(new Problem(Kind.WEAK_KEY, "RSA key of 1024 bits (at least 2048 required)"));
        assertThat(outgoing(p256.cert(), "a@partner.example", INTER.cert()).usable()).isTrue();
        assertThat(outgoing(p521.cert(), "a@partner.example", INTER.cert()).has(Kind.WEAK_KEY)).isTrue();
    }

    @Test
    void sha1SignaturesAreRefusedOnIncomingMailToo() {
        anchor(ROOT, Direction.INCOMING);
        Issued sha1 = TestPki.cert("sha1", TestPki.rsa("leaf")).issuer(INTER).email("a@partner.example")
                .signatureAlgorithm("SHA1withRSA").build();

        ValidationResult v = validator.validate(sha1.cert(), Purpose.SIGNING, "a@partner.example", LOCAL,
                Direction.INCOMING, List.of(INTER.cert()));

        assertThat(v.problems()).containsExactly(new Problem(Kind.WEAK_SIGNATURE, "signed with SHA1withRSA, which is refused"));
    }

    @Test
    void aCertificateFromAnotherHierarchyHasNoPathAndEveryReasonIsListed() {
        anchor(OTHER_ROOT, Direction.OUTGOING);
        Issued bad = TestPki.cert("bad", TestPki.rsa("small", 1024)).issuer(INTER).email("bob@partner.example")
                .serial(BigInteger.TEN).build();

        ValidationResult v = outgoing(bad.cert(), "alice@partner.example", INTER.cert());

        assertThat(v.problems()).extracting(Problem::kind)
                .containsExactly(Kind.WEAK_KEY, Kind.NOT_BOUND, Kind.NO_TRUSTED_PATH);
        assertThat(v.explanation()).contains("no path to any outgoing anchor of hisp.example.org");
    }

    @Test
    void aPoolOfCrossSignedCertificatesCannotMakeThePathSearchSpin() {
        anchor(ROOT, Direction.OUTGOING);
        List<java.security.KeyPair> keys = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            keys.add(TestPki.ec("loop" + i, "secp256r1"));
        }
        List<X509Certificate> pool = new ArrayList<>();
        Issued signer0 = null;
        for (int i = 0; i < keys.size(); i++) {
            for (int j = 0; j < keys.size(); j++) {
                if (i != j) {
                    pool.add(TestPki.cert("Loop CA", keys.get(i)).ca().selfIssuedSignedBy(keys.get(j))
                            .build().cert());
                }
            }
            if (i == 0) {
                signer0 = new Issued(pool.get(0), keys.get(0));
            }
        }
        Issued leaf = TestPki.cert("spin", TestPki.rsa("leaf")).issuer(signer0).email("a@partner.example").build();

        ValidationResult v = outgoing(leaf.cert(), "a@partner.example", pool.toArray(X509Certificate[]::new));

        // The bound is a count the search reports, not a time: a busy machine cannot fail it.
        assertThat(v.has(Kind.NO_TRUSTED_PATH)).isTrue();
        assertThat(v.warnings()).contains("path: path search stopped after " + PathBuilder.MAX_VERIFICATIONS
                + " signature verifications");
    }
}
