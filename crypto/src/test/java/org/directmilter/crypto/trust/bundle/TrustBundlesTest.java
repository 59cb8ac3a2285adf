package org.directmilter.crypto.trust.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.testpki.TestPki.Issued;
import org.directmilter.crypto.text.LogCapture;
import org.directmilter.crypto.trust.Anchor;
import org.directmilter.crypto.trust.AnchorOrigin;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.crypto.trust.Purpose;
import org.directmilter.crypto.trust.TrustSettings;
import org.directmilter.crypto.trust.TrustValidator;
import org.directmilter.crypto.trust.ValidationResult;
import org.directmilter.crypto.trust.bundle.BundleServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Trust bundles end to end against a real HTTPS server on 127.0.0.1 whose certificate comes from a test
 * CA given to the fetcher as its trust store.
 */
class TrustBundlesTest {

    static final String LOCAL = "hisp.example.org";
    static final Issued MEMBER_A = TestPki.root("Member A Root");
    static final Issued MEMBER_B = TestPki.root("Member B Root");
    static final Issued OPERATOR = TestPki.cert("Bundle Operator", TestPki.rsa("operator")).endEntity().build();
    static final Issued IMPOSTOR = TestPki.cert("Bundle Operator", TestPki.rsa("impostor")).endEntity().build();
    static final Issued ALICE = TestPki.cert("alice", TestPki.rsa("alice")).issuer(MEMBER_A)
            .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)
            .eku(KeyPurposeId.id_kp_emailProtection).email("alice@member-a.example").build();

    @TempDir
    Path state;

    BundleServer server;
    BundleFetcher fetcher;
    final LogCapture log = LogCapture.of(TrustBundles.class);
    TrustBundles bundles;

    @BeforeEach
    void start() throws Exception {
        server = new BundleServer();
        fetcher = fetcher(Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        if (bundles != null) {
            bundles.close();
        }
        server.close();
        log.close();
    }

    BundleFetcher fetcher(Duration timeout) throws Exception {
        Path trust = TestPki.writePem(state.resolve("tls-ca.pem"), BundleServer.TLS_CA.cert());
        return BundleFetcher.create(Optional.of(trust), timeout, 1 << 20);
    }

    BundleSpec spec(Optional<X509Certificate> signer) {
        return new BundleSpec("community", URI.create(server.url()), List.of(LOCAL), Set.of(Direction.INCOMING),
                signer, Duration.ofHours(6));
    }

    TrustBundles bundles(BundleSpec spec) {
        return new TrustBundles(List.of(spec), fetcher, new BundleStateDir(state.resolve("bundles")),
                Clock.systemUTC(), Duration.ofDays(2));
    }

    ValidationResult aliceIncoming(TrustBundles source) {
        TrustValidator validator = new TrustValidator(source,
                TrustSettings.defaults().withFetchTimeout(Duration.ofMillis(500), Duration.ofSeconds(1)));
        return validator.validate(ALICE.cert(), Purpose.SIGNING, "alice@member-a.example", LOCAL,
                Direction.INCOMING, List.of());
    }

    @Test
    void aSignerFromTheBundleIsTrustedUntilARefreshDropsItsAnchor() throws Exception {
        server.answer(new Answer.Bundle(Bundles.p7b(MEMBER_A.cert(), MEMBER_B.cert())));
        bundles = bundles(spec(Optional.empty()));

        BundleStatus first = bundles.refresh("community");
        ValidationResult trusted = aliceIncoming(bundles);

        assertThat(first.healthy()).as(first.toString()).isTrue();
        assertThat(first.anchors()).isEqualTo(2);
        assertThat(trusted.usable()).as(trusted.explanation()).isTrue();
        assertThat(trusted.anchor().orElseThrow().origin()).isInstanceOfSatisfying(AnchorOrigin.Bundle.class, b -> {
            assertThat(b.name()).isEqualTo("community");
            assertThat(b.url()).isEqualTo(server.url());
            assertThat(b.sha256()).isEqualTo(first.sha256().orElseThrow());
        });

        server.answer(new Answer.Bundle(Bundles.p7b(MEMBER_B.cert())));
        BundleStatus second = bundles.refresh("community");
        ValidationResult refused = aliceIncoming(bundles);

        assertThat(second.anchors()).isEqualTo(1);
        assertThat(refused.usable()).as("member A dropped from the bundle").isFalse();
        assertThat(log.lines(Level.INFO)).anySatisfy(l -> assertThat(l).startsWith(
                "bundle community: applied, 1 anchors (0 added, 1 dropped)"));
    }

    @Test
    void aBundleAppliesOnlyToItsDomainsAndDirections() throws Exception {
        server.answer(new Answer.Bundle(Bundles.p7b(MEMBER_A.cert())));
        bundles = bundles(spec(Optional.empty()));

        bundles.refresh("community");

        assertThat(bundles.anchorsFor(LOCAL, Direction.INCOMING)).extracting(Anchor::certificate)
                .containsExactly(MEMBER_A.cert());
        assertThat(bundles.anchorsFor(LOCAL, Direction.OUTGOING)).isEmpty();
        assertThat(bundles.anchorsFor("other.example.org", Direction.INCOMING)).isEmpty();
    }

    @Test
    void anUnchangedBundleIsAskedForConditionallyAndStays() throws Exception {
        server.answer(new Answer.Bundle(Bundles.p7b(MEMBER_A.cert())));
        bundles = bundles(spec(Optional.empty()));

        bundles.refresh("community");
        BundleStatus again = bundles.refresh("community");

        assertThat(server.notModified()).as("second GET carried If-None-Match and got 304").isEqualTo(1);
        assertThat(again.healthy()).isTrue();
        assertThat(aliceIncoming(bundles).usable()).isTrue();
    }

    @Test
    void aSignedBundleIsVerifiedAgainstThePinnedSigner() throws Exception {
        byte[] p7b = Bundles.p7b(MEMBER_A.cert());
        server.answer(new Answer.Bundle(Bundles.pem(Bundles.signed(p7b, OPERATOR))));
        bundles = bundles(spec(Optional.of(OPERATOR.cert())));

        BundleStatus status = bundles.refresh("community");

        assertThat(status.healthy()).as(status.toString()).isTrue();
        assertThat(aliceIncoming(bundles).usable()).isTrue();
        assertThat(bundles.anchorsFor(LOCAL, Direction.INCOMING)).extracting(Anchor::certificate)
                .as("the operator's own certificate is no anchor").containsExactly(MEMBER_A.cert());
    }

    static Stream<Arguments> failures() throws Exception {
        byte[] good = Bundles.p7b(MEMBER_B.cert());
        return Stream.of(
                Arguments.of("garbage", new Answer.Bundle("<html>maintenance</html>".getBytes(StandardCharsets.UTF_8)),
                        "INVALID_BUNDLE_FORMAT"),
                Arguments.of("wrong signer", new Answer.Bundle(Bundles.signed(good, IMPOSTOR)), "UNMATCHED_SIGNATURE"),
                Arguments.of("unsigned", new Answer.Bundle(good), "NOT_SIGNED"),
                Arguments.of("500", new Answer.Status(500), "NOT_FOUND: HTTP status 500"),
                Arguments.of("10 MB body", new Answer.Huge(10 << 20), "TOO_LARGE"),
                Arguments.of("hang", new Answer.Hang(), "DOWNLOAD_TIMEOUT"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void aFailedRefreshKeepsTheLastGoodCopyAndLogsWhy(String what, Answer failure, String reason) throws Exception {
        server.answer(new Answer.Bundle(Bundles.signed(Bundles.p7b(MEMBER_A.cert()), OPERATOR)));
        bundles = bundles(spec(Optional.of(OPERATOR.cert())));
        BundleStatus good = bundles.refresh("community");
        assertThat(good.healthy()).as(good.toString()).isTrue();

        server.answer(failure);
        BundleStatus failed = bundles.refresh("community");

        assertThat(failed.lastError().orElse("")).startsWith(reason);
        assertThat(failed.sha256()).isEqualTo(good.sha256());
        assertThat(aliceIncoming(bundles).usable()).as("last good copy in force").isTrue();
        assertThat(log.lines(Level.WARN)).anySatisfy(l -> assertThat(l)
                .startsWith("bundle community: refresh from " + server.url() + " failed, " + reason)
                .contains("stays in force"));
    }

    @Test
    void aServerWithAnUntrustedCertificateIsRefused() throws Exception {
        server.answer(new Answer.Bundle(Bundles.p7b(MEMBER_A.cert())));
        fetcher = BundleFetcher.create(Optional.of(TestPki.writePem(state.resolve("other.pem"), MEMBER_B.cert())),
                Duration.ofSeconds(2), 1 << 20);
        bundles = bundles(spec(Optional.empty()));

        BundleStatus status = bundles.refresh("community");

        assertThat(status.lastError().orElse("")).startsWith("UNREACHABLE");
        assertThat(bundles.anchorsFor(LOCAL, Direction.INCOMING)).isEmpty();
    }

    @Test
    void aRestartWithThePublisherDownStillTrustsThePersistedCopy() throws Exception {
        server.answer(new Answer.Bundle(Bundles.signed(Bundles.p7b(MEMBER_A.cert()), OPERATOR)));
        bundles = bundles(spec(Optional.of(OPERATOR.cert())));
        BundleStatus before = bundles.refresh("community");
        bundles.close();
        server.close();

        TrustBundles restarted = bundles(spec(Optional.of(OPERATOR.cert())));
        restarted.loadPersisted();
        BundleStatus down = restarted.refresh("community");

        assertThat(aliceIncoming(restarted).usable()).isTrue();
        assertThat(down.sha256()).isEqualTo(before.sha256());
        assertThat(down.lastError().orElse("")).startsWith("UNREACHABLE");
    }

    @Test
    void aPersistedCopyNoLongerMatchingTheConfiguredSignerIsNotUsed() throws Exception {
        server.answer(new Answer.Bundle(Bundles.signed(Bundles.p7b(MEMBER_A.cert()), OPERATOR)));
        bundles = bundles(spec(Optional.of(OPERATOR.cert())));
        bundles.refresh("community");

        TrustBundles repinned = bundles(spec(Optional.of(IMPOSTOR.cert())));
        repinned.loadPersisted();

        assertThat(repinned.anchorsFor(LOCAL, Direction.INCOMING)).isEmpty();
        assertThat(log.lines(Level.WARN)).anySatisfy(l -> assertThat(l)
                .startsWith("bundle community: the persisted copy is refused, UNMATCHED_SIGNATURE"));
    }

    @Test
    void aFileUrlServesAPemBundleForEveryLocalDomain() throws Exception {
        Path file = state.resolve("bundle.pem");
        Files.write(file, Bundles.pem(Bundles.p7b(MEMBER_A.cert())));
        bundles = bundles(new BundleSpec("local", file.toUri(), List.of(AnchorStore.ALL_DOMAINS),
                Set.of(Direction.INCOMING, Direction.OUTGOING), Optional.empty(), Duration.ofHours(1)));

        bundles.refresh("local");

        assertThat(bundles.anchorsFor("any.example.org", Direction.OUTGOING)).extracting(Anchor::certificate)
                .containsExactly(MEMBER_A.cert());
        assertThat(bundles.anchorsFor(LOCAL, Direction.INCOMING)).hasSize(1);
    }

    @Test
    void theRefresherFetchesOnItsOwn() throws Exception {
        server.answer(new Answer.Bundle(Bundles.p7b(MEMBER_A.cert())));
        bundles = bundles(spec(Optional.empty()));

        bundles.start(Duration.ZERO);

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (bundles.anchorsFor(LOCAL, Direction.INCOMING).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling with a deadline, not a wait for a guessed time
        }
        assertThat(bundles.anchorsFor(LOCAL, Direction.INCOMING)).hasSize(1);
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void aReloadFetchesEveryBundleAtOnceBesidesTheSchedule() throws Exception {
        server.answer(new Answer.Bundle(Bundles.p7b(MEMBER_A.cert())));
        bundles = bundles(spec(Optional.empty()));
        bundles.refresh("community");
        bundles.start(Duration.ZERO); // the copy in force is fresh: the schedule's next fetch is hours away
        server.answer(new Answer.Bundle(Bundles.p7b(MEMBER_B.cert())));

        bundles.refreshSoon();

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (aliceIncoming(bundles).usable() && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling with a deadline, not a wait for a guessed time
        }
        assertThat(aliceIncoming(bundles).usable()).as("member A dropped by the refresh a reload asked for").isFalse();
        assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void aBundleUrlMustBeHttpsOrFile() {
        assertThatThrownBy(() -> new BundleSpec("plain", URI.create("http://example.org/b.p7b"), List.of(LOCAL),
                Set.of(Direction.INCOMING), Optional.empty(), Duration.ofHours(1)))
                .hasMessageContaining("https: or file:");
    }
}
