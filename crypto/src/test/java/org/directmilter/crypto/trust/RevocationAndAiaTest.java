package org.directmilter.crypto.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.directmilter.crypto.trust.Problem.Kind;
import org.directmilter.crypto.trust.TestPki.Issued;
import org.directmilter.crypto.trust.TrustSettings.UnknownRevocation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CRLs and AIA issuers served by a real HTTP server on 127.0.0.1, and dead and silent servers. */
class RevocationAndAiaTest {

    static final String LOCAL = "hisp.example.org";
    static final Duration TIMEOUT = Duration.ofMillis(400);

    TestServer server;
    Issued root;
    Issued inter;

    @BeforeEach
    void pki() throws Exception {
        server = new TestServer();
        root = TestPki.root("CRL Root");
        inter = TestPki.cert("CRL Issuing CA", TestPki.rsa("CRL Issuing CA")).issuer(root).ca()
                .crl(server.url("/root.crl")).build();
        serveCrl("/root.crl", root, Instant.now().plus(Duration.ofDays(7)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    void serveCrl(String path, Issued issuer, Instant nextUpdate, X509Certificate... revoked) throws Exception {
        X509CRL crl = TestPki.crl(issuer, Instant.now().minus(Duration.ofHours(1)), nextUpdate, revoked);
        server.put(path, crl.getEncoded());
    }

    TestPki.Builder leaf(String cn) {
        return TestPki.cert(cn, TestPki.rsa("leaf")).issuer(inter).email("alice@partner.example")
                .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)
                .eku(KeyPurposeId.id_kp_emailProtection);
    }

    TrustValidator validator(TrustSettings settings, Clock clock) {
        Anchor anchor = new Anchor(root.cert(), Path.of("root.pem"), Optional.of(LOCAL), Direction.OUTGOING);
        return new TrustValidator((d, dir) -> dir == Direction.OUTGOING ? List.of(anchor) : List.of(), settings, clock);
    }

    TrustValidator validator() {
        return validator(TrustSettings.defaults().withFetchTimeout(TIMEOUT, Duration.ofSeconds(2)), Clock.systemUTC());
    }

    static Verdict check(TrustValidator v, X509Certificate cert, X509Certificate... intermediates) {
        return v.validate(cert, Purpose.ENCRYPTION, "alice@partner.example", LOCAL, Direction.OUTGOING,
                List.of(intermediates));
    }

    @Test
    void aRevokedCertificateIsNeverUsableAndTheReasonNamesDateReasonAndCrl() throws Exception {
        Issued alice = leaf("alice").crl(server.url("/inter.crl")).build();
        serveCrl("/inter.crl", inter, Instant.now().plus(Duration.ofDays(1)), alice.cert());

        Verdict v = check(validator(), alice.cert(), inter.cert());

        assertThat(v.problems()).containsExactly(new Problem(Kind.REVOKED,
                "revoked 2026-05-02 (keyCompromise) per CRL " + server.url("/inter.crl")));
    }

    @Test
    void aGoodCrlIsCachedUntilItsNextUpdate() throws Exception {
        Issued alice = leaf("alice").crl(server.url("/inter.crl")).build();
        Instant next = Instant.now().plus(Duration.ofHours(1));
        serveCrl("/inter.crl", inter, next);
        MutableClock clock = new MutableClock(Instant.now());
        TrustValidator v = validator(TrustSettings.defaults().withFetchTimeout(TIMEOUT, Duration.ofSeconds(2)), clock);

        Verdict first = check(v, alice.cert(), inter.cert());
        Verdict second = check(v, alice.cert(), inter.cert());

        assertThat(first.usable()).as(first.explanation()).isTrue();
        assertThat(first.warnings()).as("both CRLs fetched and verified").isEmpty();
        assertThat(second.usable()).isTrue();
        assertThat(server.hits("/inter.crl")).isEqualTo(1);
        assertThat(server.hits("/root.crl")).isEqualTo(1);

        serveCrl("/inter.crl", inter, Instant.now().plus(Duration.ofDays(3)), alice.cert());
        clock.advance(Duration.ofMinutes(59));
        assertThat(check(v, alice.cert(), inter.cert()).usable()).as("still the cached CRL").isTrue();
        clock.advance(Duration.ofMinutes(2));
        Verdict after = check(v, alice.cert(), inter.cert());
        assertThat(server.hits("/inter.crl")).isEqualTo(2);
        assertThat(after.has(Kind.REVOKED)).isTrue();
    }

    @Test
    void anUnreachableCrlIsUnknownNotGoodAndThePolicyDecides() throws Exception {
        String dead = TestServer.deadUrl("/inter.crl");
        Issued alice = leaf("alice").crl(dead).build();

        Verdict accepted = check(validator(), alice.cert(), inter.cert());
        Verdict rejected = check(validator(TrustSettings.defaults().withFetchTimeout(TIMEOUT, Duration.ofSeconds(2))
                .withUnknownRevocation(UnknownRevocation.REJECT), Clock.systemUTC()), alice.cert(), inter.cert());

        assertThat(accepted.usable()).isTrue();
        assertThat(accepted.warnings()).singleElement().satisfies(w -> assertThat(w)
                .startsWith("revocation status unknown: " + dead).endsWith("accepted by policy"));
        assertThat(accepted.explanation()).contains("warning: revocation status unknown");
        assertThat(rejected.usable()).isFalse();
        assertThat(rejected.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.REVOCATION_UNKNOWN);
            assertThat(p.explanation()).contains(dead);
        });
    }

    @Test
    void aSilentCrlServerCannotHoldValidationBeyondTheTimeout() throws Exception {
        Issued alice = leaf("alice").crl(server.url("/slow/inter.crl")).build();

        long start = System.nanoTime();
        Verdict v = check(validator(), alice.cert(), inter.cert());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(TIMEOUT.plusSeconds(2));
        assertThat(server.hits("/slow/inter.crl")).isEqualTo(1);
        assertThat(v.usable()).isTrue();
        assertThat(v.warnings()).singleElement().satisfies(w -> assertThat(w).contains("no answer within 400 ms"));
    }

    @Test
    void theBudgetBoundsAllFetchesOfOneValidation() throws Exception {
        Issued alice = leaf("alice").crl(server.url("/slow/a.crl")).crl(server.url("/slow/b.crl"))
                .crl(server.url("/slow/c.crl")).build();
        TrustValidator v = validator(TrustSettings.defaults()
                .withFetchTimeout(Duration.ofSeconds(1), Duration.ofMillis(1500)), Clock.systemUTC());

        long start = System.nanoTime();
        Verdict verdict = check(v, alice.cert(), inter.cert());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(Duration.ofMillis(2500));
        assertThat(server.hits("/slow/c.crl")).as("never tried: budget spent").isZero();
        assertThat(verdict.warnings()).hasSize(2).allSatisfy(w -> assertThat(w).contains("budget exhausted"));
    }

    @Test
    void aCrlSignedByAnotherKeyOrNotHttpOrTooLargeIsUnknown() throws Exception {
        Issued impostor = TestPki.cert("CRL Issuing CA", TestPki.rsa("impostor")).subject(inter.cert()).ca().build();
        Issued forgedCrl = leaf("a").crl(server.url("/forged.crl")).build();
        serveCrl("/forged.crl", impostor, Instant.now().plus(Duration.ofDays(1)));
        Issued fileUrl = leaf("b").crl("file:///etc/passwd").build();
        Issued big = leaf("c").crl(server.url("/big.crl")).build();
        server.put("/big.crl", new byte[64 * 1024]);
        TrustValidator v = validator(TrustSettings.defaults().withFetchTimeout(TIMEOUT, Duration.ofSeconds(2))
                .withMaxFetchBytes(16 * 1024), Clock.systemUTC());

        assertThat(check(v, forgedCrl.cert(), inter.cert()).warnings()).singleElement()
                .satisfies(w -> assertThat(w).contains("signature the issuer's key does not verify"));
        assertThat(check(v, fileUrl.cert(), inter.cert()).warnings()).singleElement()
                .satisfies(w -> assertThat(w).contains("only http: URLs are fetched"));
        assertThat(check(v, big.cert(), inter.cert()).warnings()).singleElement()
                .satisfies(w -> assertThat(w).contains("larger than 16384 bytes"));
    }

    @Test
    void aStaleCrlOrAMissingOneIsUnknown() throws Exception {
        Issued stale = leaf("stale").crl(server.url("/stale.crl")).build();
        server.put("/stale.crl", TestPki.crl(inter, Instant.now().minus(Duration.ofDays(8)),
                Instant.now().minus(Duration.ofDays(1))).getEncoded());
        Issued missing = leaf("missing").crl(server.url("/missing.crl")).build();

        assertThat(check(validator(), stale.cert(), inter.cert()).warnings()).singleElement()
                .satisfies(w -> assertThat(w).contains("/stale.crl is stale"));
        assertThat(check(validator(), missing.cert(), inter.cert()).warnings()).singleElement()
                .satisfies(w -> assertThat(w).contains("/missing.crl: HTTP status 404"));
    }

    @Test
    void nothingIsFetchedForACertificateWithoutAPathOrAlreadyUnusable() throws Exception {
        Issued stranger = TestPki.root("Stranger Root");
        Issued untrusted = TestPki.cert("u", TestPki.rsa("leaf")).issuer(stranger).email("alice@partner.example")
                .crl(server.url("/untrusted.crl")).build();
        Issued selfSigned = TestPki.cert("self", TestPki.rsa("leaf")).email("alice@partner.example")
                .crl(server.url("/self.crl")).aia(server.url("/self.cer")).build();
        Issued expired = leaf("e").validity(Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)))
                .aia(server.url("/inter.cer")).crl(server.url("/inter.crl")).build();
        server.put("/inter.cer", inter.cert().getEncoded());

        Verdict v1 = check(validator(), untrusted.cert(), stranger.cert());
        Verdict v2 = check(validator(), selfSigned.cert());
        Verdict v3 = check(validator(), expired.cert());

        assertThat(v1.has(Kind.NO_TRUSTED_PATH)).isTrue();
        assertThat(v2.has(Kind.NO_TRUSTED_PATH)).isTrue();
        assertThat(v3.problems()).extracting(Problem::kind).containsExactly(Kind.EXPIRED, Kind.NO_TRUSTED_PATH);
        assertThat(server.hits("/untrusted.crl") + server.hits("/self.crl") + server.hits("/self.cer")
                + server.hits("/inter.cer") + server.hits("/inter.crl")).isZero();
    }

    @Test
    void missingIntermediatesAreFetchedFromAiaInEveryFormatAndCached() throws Exception {
        server.put("/inter.cer", inter.cert().getEncoded());
        server.put("/inter.p7c", Pem.p7b(inter.cert()));
        server.put("/inter.pem", Pem.pem(inter.cert()));
        TrustValidator v = validator();

        for (String path : List.of("/inter.cer", "/inter.p7c", "/inter.pem")) {
            Issued alice = leaf("alice").aia(server.url(path)).build();
            Verdict verdict = check(v, alice.cert());
            assertThat(verdict.usable()).as(path + ": " + verdict.explanation()).isTrue();
            assertThat(verdict.chain()).containsExactly(alice.cert(), inter.cert());
            check(v, alice.cert());
            assertThat(server.hits(path)).as(path + " fetched once").isEqualTo(1);
        }
    }

    @Test
    void aDeadOrSilentAiaServerMeansNoPathWithinTheTimeout() throws Exception {
        Issued dead = leaf("d").aia(TestServer.deadUrl("/inter.cer")).build();
        Issued silent = leaf("s").aia(server.url("/slow/inter.cer")).build();

        long start = System.nanoTime();
        Verdict v1 = check(validator(), dead.cert());
        Verdict v2 = check(validator(), silent.cert());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(TIMEOUT.multipliedBy(2).plusSeconds(2));
        assertThat(v1.has(Kind.NO_TRUSTED_PATH)).isTrue();
        assertThat(v1.warnings()).singleElement().satisfies(w -> assertThat(w).startsWith("AIA "));
        assertThat(v2.has(Kind.NO_TRUSTED_PATH)).isTrue();
        assertThat(v2.warnings()).singleElement().satisfies(w -> assertThat(w).contains("no answer within 400 ms"));
    }
}
