package org.directmilter.crypto.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.testpki.TestPki.Issued;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnchorStoreTest {

    static final Issued ROOT_A = TestPki.root("Root A");
    static final Issued ROOT_B = TestPki.root("Root B");
    static final Issued ROOT_C = TestPki.root("Root C");
    static final Issued INTERMEDIATE = TestPki.intermediate("Intermediate A1", ROOT_A);

    @TempDir
    Path dir;

    @Test
    void incomingAndOutgoingAnchorsOfADomainAreSeparateAndAllDomainsAppliesToEveryDomain() throws Exception {
        write("hisp.example.org/incoming/a.pem", Pem.pem(ROOT_A.cert()));
        write("hisp.example.org/outgoing/b.der", Pem.der(ROOT_B.cert()));
        write("all-domains/incoming/c.pem", Pem.pem(ROOT_C.cert()));

        AnchorSet set = AnchorStore.load(dir).current();

        assertThat(certs(set.anchorsFor("hisp.example.org", Direction.INCOMING)))
                .containsExactlyInAnyOrder(ROOT_A.cert(), ROOT_C.cert());
        assertThat(certs(set.anchorsFor("HISP.Example.org", Direction.OUTGOING))).containsExactly(ROOT_B.cert());
        assertThat(certs(set.anchorsFor("other.example.org", Direction.INCOMING))).containsExactly(ROOT_C.cert());
        assertThat(set.anchorsFor("other.example.org", Direction.OUTGOING)).isEmpty();
        assertThat(set.problems()).isEmpty();
        Anchor a = set.anchorsFor("hisp.example.org", Direction.INCOMING).stream()
                .filter(x -> x.certificate().equals(ROOT_A.cert())).findFirst().orElseThrow();
        assertThat(a.origin()).isEqualTo(new AnchorOrigin.File(dir.resolve("hisp.example.org/incoming/a.pem")));
        assertThat(a.domain()).contains("hisp.example.org");
        assertThat(a.sha256()).hasSize(64).isEqualTo(Certificates.sha256(ROOT_A.cert()));
    }

    @Test
    void bundlesInEveryFormatLoadEachCertificate() throws Exception {
        write("d.example/incoming/two.pem", Pem.pem(ROOT_A.cert(), INTERMEDIATE.cert()));
        write("d.example/incoming/bundle.p7b", Pem.p7b(ROOT_B.cert(), ROOT_C.cert()));
        write("d.example/outgoing/bundle-pem.p7b", Pem.p7bPem(ROOT_B.cert(), INTERMEDIATE.cert()));

        AnchorSet set = AnchorStore.load(dir).current();

        assertThat(certs(set.anchorsFor("d.example", Direction.INCOMING)))
                .containsExactlyInAnyOrder(ROOT_A.cert(), INTERMEDIATE.cert(), ROOT_B.cert(), ROOT_C.cert());
        assertThat(certs(set.anchorsFor("d.example", Direction.OUTGOING)))
                .containsExactlyInAnyOrder(ROOT_B.cert(), INTERMEDIATE.cert());
        assertThat(set.problems()).isEmpty();
    }

    @Test
    void badFilesAreSkippedWithTheirReasonAndNeverStopTheOthers() throws Exception {
        Issued leaf = TestPki.cert("leaf", TestPki.rsa("leaf")).issuer(ROOT_A).email("a@d.example").build();
        write("d.example/incoming/good.pem", Pem.pem(ROOT_A.cert()));
        write("d.example/incoming/garbage.pem", "hello".getBytes());
        byte[] pem = Pem.pem(ROOT_B.cert());
        write("d.example/incoming/truncated.pem", Arrays.copyOf(pem, pem.length / 2));
        write("d.example/incoming/leaf.pem", Pem.pem(leaf.cert()));
        write("d.example/incoming/notes.txt", "not an anchor".getBytes());
        write("d.example/incoming/.hidden.pem", "ignored silently".getBytes());
        write("d.example/incoming/zz-good.der", Pem.der(ROOT_C.cert()));

        AnchorSet set = AnchorStore.load(dir).current();

        assertThat(certs(set.anchorsFor("d.example", Direction.INCOMING)))
                .containsExactlyInAnyOrder(ROOT_A.cert(), ROOT_C.cert());
        assertThat(set.problems()).extracting(p -> p.file().getFileName().toString())
                .containsExactlyInAnyOrder("garbage.pem", "truncated.pem", "leaf.pem", "notes.txt");
        assertThat(set.problems()).filteredOn(p -> p.file().endsWith("leaf.pem")).singleElement()
                .satisfies(p -> assertThat(p.reason()).contains("not a CA"));
    }

    @Test
    void aFileReplacedWhileWatchingIsUsedWithinSecondsAndTheOldAnchorNoLonger() throws Exception {
        write("d.example/incoming/anchor.pem", Pem.pem(ROOT_A.cert()));
        try (AnchorStore store = AnchorStore.load(dir)) {
            store.watch(Duration.ofMillis(50));
            assertThat(certs(store.anchorsFor("d.example", Direction.INCOMING))).containsExactly(ROOT_A.cert());

            Path tmp = write("d.example/incoming/.anchor.pem.tmp", Pem.pem(ROOT_B.cert()));
            Files.move(tmp, dir.resolve("d.example/incoming/anchor.pem"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);

            awaitTrue(() -> certs(store.anchorsFor("d.example", Direction.INCOMING)).equals(List.of(ROOT_B.cert())));
            assertThat(certs(store.anchorsFor("d.example", Direction.INCOMING))).doesNotContain(ROOT_A.cert());
        }
    }

    @Test
    void theValidatorUsesTheReplacedAnchorAndNoLongerTheOldOne() throws Exception {
        Issued underA = TestPki.cert("a", TestPki.rsa("leaf")).issuer(ROOT_A).email("x@partner.example").build();
        Issued underB = TestPki.cert("b", TestPki.rsa("leaf")).issuer(ROOT_B).email("x@partner.example").build();
        write("d.example/outgoing/partner.pem", Pem.pem(ROOT_A.cert()));
        try (AnchorStore store = AnchorStore.load(dir)) {
            store.watch(Duration.ofMillis(50));
            TrustValidator validator = new TrustValidator(store::anchorsFor, TrustSettings.defaults());
            java.util.function.Predicate<X509Certificate> usable =
                    validator.usableFor(Purpose.ENCRYPTION, "x@partner.example", "d.example", Direction.OUTGOING);
            assertThat(usable.test(underA.cert())).isTrue();
            assertThat(usable.test(underB.cert())).isFalse();

            Path tmp = write("d.example/outgoing/.partner.pem.tmp", Pem.pem(ROOT_B.cert()));
            Files.move(tmp, dir.resolve("d.example/outgoing/partner.pem"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);

            awaitTrue(() -> usable.test(underB.cert()));
            assertThat(usable.test(underA.cert())).isFalse();
            assertThat(validator.validate(underA.cert(), Purpose.ENCRYPTION, "x@partner.example", "d.example",
                    Direction.INCOMING, List.of()).explanation())
                    .isEqualTo("no path to any incoming anchor of d.example (there are none)");
        }
    }

    @Test
    void aHalfWrittenFileKeepsItsPreviousAnchorsAndADeletedFileTakesThemAway() throws Exception {
        Path file = write("d.example/outgoing/anchor.pem", Pem.pem(ROOT_A.cert()));
        AnchorStore store = AnchorStore.load(dir);
        byte[] next = Pem.pem(ROOT_B.cert());
        Files.write(file, Arrays.copyOf(next, 40));

        AnchorSet during = store.reload();

        assertThat(certs(during.anchorsFor("d.example", Direction.OUTGOING))).containsExactly(ROOT_A.cert());
        assertThat(during.problems()).singleElement()
                .satisfies(p -> assertThat(p.reason()).contains("keeping its previous 1 anchor(s)"));

        Files.delete(file);
        assertThat(store.reloadIfChanged()).isTrue();
        assertThat(store.anchorsFor("d.example", Direction.OUTGOING)).isEmpty();
        assertThat(store.reloadIfChanged()).isFalse();
    }

    @Test
    void aMissingDirectoryIsAProblemNotACrash() {
        AnchorSet set = AnchorStore.load(dir.resolve("absent")).current();
        assertThat(set.anchors()).isEmpty();
        assertThat(set.problems()).singleElement()
                .satisfies(p -> assertThat(p.reason()).contains("does not exist"));
    }

    static List<X509Certificate> certs(List<Anchor> anchors) {
        return anchors.stream().map(Anchor::certificate).toList();
    }

    private Path write(String relative, byte[] content) throws Exception {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
