package org.directmilter.crypto.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.directmilter.crypto.testpki.MutableClock;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.testpki.TestPki.Issued;
import org.directmilter.crypto.text.LogCapture;
import org.directmilter.crypto.trust.Problem.Kind;
import org.directmilter.crypto.trust.TrustSettings.UnknownRevocation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CRLs and AIA issuers served by a real HTTP server on 127.0.0.1, and dead and silent servers. The
 * anchor names the server (its own AIA URL is there), so that server is where the anchor's CA publishes;
 * a second server plays a stranger's.
 */
class RevocationAndAiaTest {

    static final String LOCAL = "hisp.example.org";
    // generous: a loaded CI machine must not turn a served CRL into "no answer"; silent servers cost it once
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    TestServer server;
    TestServer stranger;
    Issued root;
    Issued inter;

    @BeforeEach
    void pki() throws Exception {
        server = new TestServer();
        stranger = new TestServer();
        root = TestPki.cert("CRL Root", TestPki.rsa("CRL Root")).ca().aia(server.url("/root.cer")).build();
        inter = TestPki.cert("CRL Issuing CA", TestPki.rsa("CRL Issuing CA")).issuer(root).ca()
                .crl(server.url("/root.crl")).build();
        serveCrl("/root.crl", root, Instant.now().plus(Duration.ofDays(7)));
    }

    @AfterEach
    void stop() {
        server.close();
        stranger.close();
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

    static TrustSettings settings() {
        return TrustSettings.defaults().withFetchTimeout(TIMEOUT, Duration.ofSeconds(10));
    }

    TrustValidator validator(TrustSettings settings) {
        return validator(settings, Clock.systemUTC());
    }

    TrustValidator validator() {
        return validator(settings());
    }

    static ValidationResult check(TrustValidator v, X509Certificate cert, X509Certificate... intermediates) {
        return v.validate(cert, Purpose.ENCRYPTION, "alice@partner.example", LOCAL, Direction.OUTGOING,
                List.of(intermediates));
    }

    static ValidationResult check(TrustValidator v, ValidationBudget budget, X509Certificate cert) {
        return v.validate(cert, Purpose.ENCRYPTION, "alice@partner.example", LOCAL, Direction.OUTGOING, List.of(),
                budget);
    }

    @Test
    void aRevokedCertificateIsNeverUsableAndTheReasonNamesDateReasonAndCrl() throws Exception {
        Issued alice = leaf("alice").crl(server.url("/inter.crl")).build();
        serveCrl("/inter.crl", inter, Instant.now().plus(Duration.ofDays(1)), alice.cert());

        ValidationResult v = check(validator(), alice.cert(), inter.cert());

        assertThat(v.problems()).containsExactly(new Problem(Kind.REVOKED,
                "revoked 2026-05-02 (keyCompromise) per CRL " + server.url("/inter.crl")));
        assertThat(v.temporary()).isFalse();
    }

    @Test
    void aGoodCrlIsCachedUntilItsNextUpdate() throws Exception {
        Issued alice = leaf("alice").crl(server.url("/inter.crl")).build();
        Instant next = Instant.now().plus(Duration.ofHours(1));
        serveCrl("/inter.crl", inter, next);
        MutableClock clock = new MutableClock(Instant.now());
        TrustValidator v = validator(settings(), clock);

        ValidationResult first = check(v, alice.cert(), inter.cert());
        ValidationResult second = check(v, alice.cert(), inter.cert());

        assertThat(first.usable()).as(first.explanation()).isTrue();
        assertThat(first.warnings()).as("both CRLs fetched and verified").isEmpty();
        assertThat(second.usable()).isTrue();
        assertThat(server.hits("/inter.crl")).isEqualTo(1);
        assertThat(server.hits("/root.crl")).isEqualTo(1);

        serveCrl("/inter.crl", inter, Instant.now().plus(Duration.ofDays(3)), alice.cert());
        clock.advance(Duration.ofMinutes(59));
        assertThat(check(v, alice.cert(), inter.cert()).usable()).as("still the cached CRL").isTrue();
        clock.advance(Duration.ofMinutes(2));
        ValidationResult after = check(v, alice.cert(), inter.cert());
        assertThat(server.hits("/inter.crl")).isEqualTo(2);
        assertThat(after.has(Kind.REVOKED)).isTrue();
    }

    @Test
    void anUnreachableCrlIsATemporaryFailureByDefaultAndAcceptIsAnExplicitChoice() throws Exception {
        String dead = TestServer.deadUrl("/inter.crl");
        Issued alice = leaf("alice").crl(dead).build();

        ValidationResult byDefault = check(validator(), alice.cert(), inter.cert());
        ValidationResult rejected = check(validator(settings().withUnknownRevocation(UnknownRevocation.REJECT)),
                alice.cert(), inter.cert());
        ValidationResult accepted = check(validator(settings().withUnknownRevocation(UnknownRevocation.ACCEPT)),
                alice.cert(), inter.cert());

        assertThat(TrustSettings.defaults().unknownRevocation()).isEqualTo(UnknownRevocation.TEMPFAIL);
        assertThat(byDefault.usable()).isFalse();
        assertThat(byDefault.temporary()).as("the sender is to retry").isTrue();
        assertThat(byDefault.problems()).containsExactly(new Problem(Kind.REVOCATION_UNKNOWN,
                "revocation status unknown: CRL not fetched, server unreachable", true));
        assertThat(byDefault.reason()).as("nothing of the fetch for the sender").doesNotContain(dead);
        assertThat(byDefault.warnings()).singleElement().satisfies(w -> assertThat(w).startsWith("CRL " + dead));
        assertThat(rejected.usable()).isFalse();
        assertThat(rejected.temporary()).isFalse();
        assertThat(rejected.has(Kind.REVOCATION_UNKNOWN)).isTrue();
        assertThat(accepted.usable()).isTrue();
        assertThat(accepted.warnings()).singleElement().satisfies(w -> assertThat(w)
                .startsWith("revocation status unknown: CRL not fetched").contains(dead).endsWith("accepted by policy"));
    }

    @Test
    void aSilentCrlServerCostsOneTimeoutAndThenTheStatusIsUnknown() throws Exception {
        Issued alice = leaf("alice").crl(server.url("/slow/inter.crl")).build();
        ValidationBudget budget = validator().newBudget();

        ValidationResult v = validator().validate(alice.cert(), Purpose.ENCRYPTION, "alice@partner.example", LOCAL,
                Direction.OUTGOING, List.of(inter.cert()), budget);

        assertThat(server.hits("/slow/inter.crl")).isEqualTo(1);
        assertThat(v.problems()).extracting(Problem::explanation)
                .containsExactly("revocation status unknown: CRL not fetched, no answer in time");
        assertThat(v.warnings()).singleElement().satisfies(w -> assertThat(w).contains("no answer within " + TIMEOUT.toMillis() + " ms"));
        assertThat(budget.report().fetches()).isEqualTo(1);
    }

    @Test
    void theBudgetBoundsAllFetchesOfOneValidation() throws Exception {
        Issued alice = leaf("alice").crl(server.url("/slow/a.crl")).crl(server.url("/slow/b.crl"))
                .crl(server.url("/slow/c.crl")).build();
        TrustValidator v = validator(TrustSettings.defaults()
                .withFetchTimeout(Duration.ofSeconds(1), Duration.ofMillis(1500)));
        ValidationBudget budget = v.newBudget();

        ValidationResult result = v.validate(alice.cert(), Purpose.ENCRYPTION, "alice@partner.example", LOCAL,
                Direction.OUTGOING, List.of(inter.cert()), budget);

        assertThat(server.hits("/slow/c.crl")).as("never tried: budget spent").isZero();
        assertThat(budget.report().exhausted()).isTrue();
        assertThat(budget.report().fetches()).isEqualTo(2);
        assertThat(result.temporary()).isTrue();
        assertThat(result.warnings()).singleElement().satisfies(w -> assertThat(w)
                .contains("/slow/c.crl: fetch budget of this message exhausted"));
    }

    @Test
    void aCrlSignedByAnotherKeyOrNotHttpOrTooLargeIsUnknownAndOnlyItsCategoryIsShown() throws Exception {
        Issued impostor = TestPki.cert("CRL Issuing CA", TestPki.rsa("impostor")).subject(inter.cert()).ca().build();
        Issued forgedCrl = leaf("a").crl(server.url("/forged.crl")).build();
        serveCrl("/forged.crl", impostor, Instant.now().plus(Duration.ofDays(1)));
        Issued fileUrl = leaf("b").crl("file:///etc/passwd").build();
        Issued big = leaf("c").crl(server.url("/big.crl")).build();
        server.put("/big.crl", new byte[64 * 1024]);
        TrustValidator v = validator(settings().withMaxFetchBytes(16 * 1024));

        ValidationResult forged = check(v, forgedCrl.cert(), inter.cert());
        ValidationResult file = check(v, fileUrl.cert(), inter.cert());
        ValidationResult large = check(v, big.cert(), inter.cert());

        assertThat(forged.reason()).isEqualTo("revocation status unknown: CRL signature does not verify");
        assertThat(forged.warnings()).singleElement()
                .satisfies(w -> assertThat(w).contains("signature the issuer's key does not verify"));
        assertThat(file.reason())
                .isEqualTo("revocation status unknown: CRL not fetched, fetching from that URL is not allowed");
        assertThat(file.warnings()).singleElement().satisfies(w -> assertThat(w).contains("only http: URLs"));
        assertThat(large.reason()).isEqualTo("revocation status unknown: CRL not fetched, answer too large");
        assertThat(large.warnings()).singleElement().satisfies(w -> assertThat(w).contains("larger than 16384 bytes"));
    }

    @Test
    void aStaleCrlOrAMissingOneIsUnknown() throws Exception {
        Issued stale = leaf("stale").crl(server.url("/stale.crl")).build();
        server.put("/stale.crl", TestPki.crl(inter, Instant.now().minus(Duration.ofDays(8)),
                Instant.now().minus(Duration.ofDays(1))).getEncoded());
        Issued missing = leaf("missing").crl(server.url("/missing.crl")).build();

        ValidationResult s = check(validator(), stale.cert(), inter.cert());
        ValidationResult m = check(validator(), missing.cert(), inter.cert());

        assertThat(s.reason()).isEqualTo("revocation status unknown: CRL stale");
        assertThat(s.warnings()).singleElement().satisfies(w -> assertThat(w).contains("/stale.crl is stale"));
        assertThat(m.reason()).isEqualTo("revocation status unknown: CRL not fetched, server answered with an error");
        assertThat(m.warnings()).singleElement().satisfies(w -> assertThat(w).contains("/missing.crl: HTTP status 404"));
    }

    @Test
    void aCachedCrlStillCountsWithinTheGraceAfterItsNextUpdateWhileNoNewerOneCanBeHad() throws Exception {
        Issued alice = leaf("alice").crl(server.url("/inter.crl")).build();
        Instant next = Instant.now().plus(Duration.ofHours(1));
        serveCrl("/inter.crl", inter, next);
        MutableClock clock = new MutableClock(Instant.now());
        TrustValidator v = validator(settings().withCrlGrace(Duration.ofHours(6)), clock);
        assertThat(check(v, alice.cert(), inter.cert()).usable()).isTrue();

        server.put("/inter.crl", null);
        clock.advance(Duration.ofHours(2));
        ValidationResult inGrace = check(v, alice.cert(), inter.cert());
        clock.advance(Duration.ofHours(6));
        ValidationResult beyond = check(v, alice.cert(), inter.cert());

        assertThat(server.hits("/inter.crl")).as("a refresh was tried each time").isEqualTo(3);
        assertThat(inGrace.usable()).as(inGrace.explanation()).isTrue();
        assertThat(inGrace.warnings()).singleElement()
                .satisfies(w -> assertThat(w).contains("past its nextUpdate, within the grace"));
        assertThat(beyond.temporary()).as("the held CRL is dropped after the grace: " + beyond.explanation()).isTrue();
        assertThat(beyond.reason())
                .isEqualTo("revocation status unknown: CRL not fetched, server answered with an error");
    }

    @Test
    void nothingIsFetchedForACertificateWithoutAPathOrAlreadyUnusable() throws Exception {
        Issued strangerRoot = TestPki.root("Stranger Root");
        Issued untrusted = TestPki.cert("u", TestPki.rsa("leaf")).issuer(strangerRoot).email("alice@partner.example")
                .crl(server.url("/untrusted.crl")).build();
        Issued selfSigned = TestPki.cert("self", TestPki.rsa("leaf")).email("alice@partner.example")
                .crl(server.url("/self.crl")).aia(server.url("/self.cer")).build();
        Issued expired = leaf("e").validity(Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)))
                .aia(server.url("/inter.cer")).crl(server.url("/inter.crl")).build();
        server.put("/inter.cer", inter.cert().getEncoded());

        ValidationResult v1 = check(validator(), untrusted.cert(), strangerRoot.cert());
        ValidationResult v2 = check(validator(), selfSigned.cert());
        ValidationResult v3 = check(validator(), expired.cert());

        assertThat(v1.has(Kind.NO_TRUSTED_PATH)).isTrue();
        assertThat(v2.has(Kind.NO_TRUSTED_PATH)).isTrue();
        assertThat(v3.problems()).extracting(Problem::kind).containsExactly(Kind.EXPIRED, Kind.NO_TRUSTED_PATH);
        assertThat(server.hits("/untrusted.crl") + server.hits("/self.crl") + server.hits("/self.cer")
                + server.hits("/inter.cer") + server.hits("/inter.crl")).isZero();
    }

    @Test
    void anUntrustedSignersAiaUrlReceivesNoRequest() throws Exception {
        // A stranger's certificate: well formed, bound, usable but for its path, its AIA on its own server.
        Issued strangerCa = TestPki.intermediate("Stranger CA", TestPki.root("Stranger Root"));
        stranger.put("/ca.cer", strangerCa.cert().getEncoded());
        Issued eve = TestPki.cert("eve", TestPki.rsa("leaf")).issuer(strangerCa).email("alice@partner.example")
                .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)
                .aia(stranger.url("/ca.cer")).aia(stranger.url("/slow/ca.cer")).build();

        ValidationResult v = check(validator(), eve.cert());

        assertThat(v.problems()).containsExactly(new Problem(Kind.NO_TRUSTED_PATH,
                "no path to any outgoing anchor of hisp.example.org"));
        assertThat(stranger.hits("/ca.cer") + stranger.hits("/slow/ca.cer")).isZero();
        assertThat(v.warnings()).hasSize(2).allSatisfy(w -> assertThat(w)
                .contains("not fetched: no anchor of the domain names that host"));
    }

    @Test
    void fetchHostsDecidesWhereAiaIssuersMayComeFrom() throws Exception {
        stranger.put("/inter.cer", inter.cert().getEncoded());
        server.put("/inter.cer", inter.cert().getEncoded());
        Issued onAnchorsHost = leaf("a").aia(server.url("/inter.cer")).build();
        Issued elsewhere = leaf("b").aia(stranger.url("/inter.cer")).build();

        ValidationResult notListed = check(validator(settings().withAllowedHosts(Set.of("localhost"))),
                onAnchorsHost.cert());
        ValidationResult listed = check(validator(settings().withAllowedHosts(Set.of("127.0.0.1"))),
                elsewhere.cert());

        assertThat(server.hits("/inter.cer")).as("FetchHosts set: the anchor's host is not enough").isZero();
        assertThat(notListed.has(Kind.NO_TRUSTED_PATH)).isTrue();
        assertThat(notListed.warnings()).singleElement().satisfies(w -> assertThat(w).contains("not in FetchHosts"));
        assertThat(stranger.hits("/inter.cer")).as("the operator vouched for the host").isEqualTo(1);
        assertThat(listed.usable()).as(listed.explanation()).isTrue();
    }

    @Test
    void missingIntermediatesAreFetchedFromAiaInEveryFormatAndCached() throws Exception {
        server.put("/inter.cer", inter.cert().getEncoded());
        server.put("/inter.p7c", Pem.p7b(inter.cert()));
        server.put("/inter.pem", Pem.pem(inter.cert()));
        TrustValidator v = validator();

        for (String path : List.of("/inter.cer", "/inter.p7c", "/inter.pem")) {
            Issued alice = leaf("alice").aia(server.url(path)).build();
            ValidationResult result = check(v, alice.cert());
            assertThat(result.usable()).as(path + ": " + result.explanation()).isTrue();
            assertThat(result.chain()).containsExactly(alice.cert(), inter.cert());
            check(v, alice.cert());
            assertThat(server.hits(path)).as(path + " fetched once").isEqualTo(1);
        }
    }

    /** The listener hears each judgement and each fetch tried, not those answered from the cache. */
    @Test
    void theListenerHearsJudgementsAndEveryFetchTriedWithItsFailure() throws Exception {
        server.put("/inter.cer", inter.cert().getEncoded());
        Issued alice = leaf("alice").aia(server.url("/inter.cer")).crl(server.url("/inter.crl")).build();
        Issued revoked = leaf("revoked").crl(TestServer.deadUrl("/gone.crl")).build();
        serveCrl("/inter.crl", inter, Instant.now().plus(Duration.ofDays(1)));
        List<String> heard = new ArrayList<>();
        TrustListener listener = new TrustListener() {
            @Override
            public synchronized void judged(ValidationResult result) {
                heard.add("judged " + result.problems().stream().map(Problem::kind).toList());
            }

            @Override
            public synchronized void fetched(Fetch what, Optional<String> failure, Duration took) {
                heard.add(what + " " + failure.orElse("ok") + (took.isNegative() ? " negative" : ""));
            }
        };
        Anchor anchor = new Anchor(root.cert(), Path.of("root.pem"), Optional.of(LOCAL), Direction.OUTGOING);
        TrustValidator v = new TrustValidator((d, dir) -> List.of(anchor), settings(), listener);

        check(v, alice.cert());
        check(v, alice.cert());
        check(v, revoked.cert(), inter.cert());

        assertThat(heard).containsExactly("AIA ok", "CRL ok", "CRL ok", "judged []", "judged []",
                "CRL unreachable", "judged [REVOCATION_UNKNOWN]");
    }

    @Test
    void aDeadOrSilentAiaServerMeansNoPathAndItsFailureStaysWithTheOperator() throws Exception {
        String deadUrl = TestServer.deadUrl("/inter.cer");
        Issued dead = leaf("d").aia(deadUrl).build();
        Issued silent = leaf("s").aia(server.url("/slow/inter.cer")).build();
        TrustValidator v = validator(settings().withAllowedHosts(Set.of("127.0.0.1")));

        ValidationResult v1 = check(v, dead.cert());
        ValidationResult v2 = check(v, silent.cert());

        assertThat(v1.reason()).isEqualTo("no path to any outgoing anchor of hisp.example.org");
        assertThat(v1.warnings()).singleElement().satisfies(w -> assertThat(w).startsWith("AIA " + deadUrl));
        assertThat(v2.reason()).isEqualTo("no path to any outgoing anchor of hisp.example.org");
        assertThat(v2.warnings()).singleElement().satisfies(w -> assertThat(w).contains("no answer within " + TIMEOUT.toMillis() + " ms"));
    }

    @Test
    void oneMessagesSignersShareOneBudgetOfCertificatesAndFetches() throws Exception {
        TrustValidator v = validator(TrustSettings.defaults().withAllowedHosts(Set.of("127.0.0.1"))
                .withFetchTimeout(Duration.ofMillis(300), Duration.ofSeconds(30))
                .withPerMessage(new ValidationBudget.Limits(4, 2, Duration.ofSeconds(30))));
        ValidationBudget budget = v.newBudget();
        List<ValidationResult> results = new ArrayList<>();

        for (int i = 0; i < 6; i++) {
            results.add(check(v, budget, leaf("signer" + i).aia(server.url("/slow/s" + i + ".cer")).build().cert()));
        }
        ValidationResult again = check(v, budget, results.get(0).certificate());

        assertThat(server.hits("/slow/s0.cer") + server.hits("/slow/s1.cer")).isEqualTo(2);
        assertThat(server.hits("/slow/s2.cer") + server.hits("/slow/s3.cer")).as("fetch limit reached").isZero();
        assertThat(results.subList(4, 6)).allSatisfy(r -> assertThat(r.problems()).extracting(Problem::kind)
                .containsExactly(Kind.TOO_MANY_CERTIFICATES));
        assertThat(server.hits("/slow/s4.cer") + server.hits("/slow/s5.cer")).as("never judged").isZero();
        assertThat(again.has(Kind.TOO_MANY_CERTIFICATES)).as("judged before: admitted again").isFalse();
        assertThat(budget.report()).satisfies(r -> {
            assertThat(r.certificates()).isEqualTo(4);
            assertThat(r.fetches()).isEqualTo(2);
            assertThat(r.exhausted()).isTrue();
        });
    }

    @Test
    void fiveDeadAiaSignersDoNotDelayAConcurrentValidation() throws Exception {
        TrustValidator v = validator(TrustSettings.defaults().withAllowedHosts(Set.of("127.0.0.1"))
                .withFetchTimeout(Duration.ofSeconds(1), Duration.ofSeconds(30)));
        Issued legit = leaf("legit").aia(server.url("/inter.cer")).crl(server.url("/inter.crl")).build();
        server.put("/inter.cer", inter.cert().getEncoded());
        serveCrl("/inter.crl", inter, Instant.now().plus(Duration.ofDays(1)));
        ValidationBudget slowMessage = v.newBudget();

        CompletableFuture<List<ValidationResult>> slow = CompletableFuture.supplyAsync(() -> {
            List<ValidationResult> out = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                out.add(check(v, slowMessage, leaf("dead" + i).aia(server.url("/slow/dead" + i + ".cer")).build()
                        .cert()));
            }
            return out;
        });
        assertThat(server.awaitHit("/slow/dead0.cer", Duration.ofSeconds(10))).isTrue();
        ValidationBudget legitMessage = v.newBudget();
        ValidationResult result = check(v, legitMessage, legit.cert());
        boolean slowStillFetching = !slow.isDone();

        assertThat(result.usable()).as(result.explanation()).isTrue();
        assertThat(slowStillFetching).as("the concurrent validation ran while the dead fetches hung").isTrue();
        // What the code reports it spent fetching: its own fetches only, none of the others' waiting.
        assertThat(legitMessage.report().fetches()).isEqualTo(3);
        assertThat(legitMessage.report().fetchTime()).isLessThan(Duration.ofSeconds(1));
        assertThat(slow.get()).hasSize(5).allSatisfy(r -> assertThat(r.has(Kind.NO_TRUSTED_PATH)).isTrue());
        assertThat(slowMessage.report().fetches()).isEqualTo(5);
    }

    @Test
    void aCrLfLadenAiaUrlReachesTheLogEscaped() throws Exception {
        String forged = stranger.url("/ca.cer") + "\r\n2026-12-06 audit: event=incoming outcome=verified";
        Issued eve = TestPki.cert("eve\r\nforged", TestPki.rsa("leaf")).issuer(TestPki.root("Stranger Root"))
                .email("alice@partner.example").aia(forged).build();

        ValidationResult v;
        try (LogCapture log = LogCapture.of(TrustValidator.class)) {
            v = check(validator(), eve.cert());

            assertThat(log.lines()).isNotEmpty().allSatisfy(line -> assertThat(line)
                    .doesNotContain("\r").doesNotContain("\n")
                    .contains("/ca.cer\\r\\n2026-12-06 audit: event=incoming outcome=verified"));
        }
        assertThat(v.reason()).as("the URL is not for the sender").doesNotContain("ca.cer");
    }
}
