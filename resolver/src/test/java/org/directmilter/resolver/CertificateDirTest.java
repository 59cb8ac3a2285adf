package org.directmilter.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate directory as discovery's first step, against a DNS that must not be asked when a file decides. */
class CertificateDirTest {

    @TempDir
    Path dir;

    private final List<String> asked = new ArrayList<>();
    private final X509Certificate fromDns = TestCertificates.valid("example.org");
    // DNS publishes a domain certificate for everyone, so a fall-through is visible as a Found from DNS.
    private final CertLookup dns = owner -> {
        asked.add(owner);
        return owner.equals("example.org.")
                ? new OwnerLookup.Published(owner, List.of(new FoundCertificate(fromDns, FoundCertificate.PKIX,
                        Optional.empty())), List.of(), 300, List.of())
                : new OwnerLookup.NonePublished(owner, "NXDOMAIN", 300, List.of());
    };
    private DiscoveryResult discover(String address) {
        return new CertificateDiscovery(dns, OwnerNameMode.NAIVE, Optional.of(dir))
                .discover(address, TestCertificates::currentlyValid);
    }

    private static String pem(X509Certificate... certs) throws CertificateEncodingException {
        StringBuilder text = new StringBuilder();
        for (X509Certificate c : certs) {
            text.append("-----BEGIN CERTIFICATE-----\n")
                    .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded()))
                    .append("\n-----END CERTIFICATE-----\n");
        }
        return text.toString();
    }

    private Path place(String name, X509Certificate... certs) throws IOException, CertificateEncodingException {
        return Files.writeString(dir.resolve(name), pem(certs), StandardCharsets.US_ASCII);
    }

    @Test
    void theAddressFileDecidesBeforeTheDomainFileAndDns() throws Exception {
        X509Certificate bob = TestCertificates.valid("bob@example.org");
        place("bob@example.org.pem", bob);
        place("example.org.pem", TestCertificates.valid("example.org"));

        DiscoveryResult result = discover("Bob@Example.org");

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.Found.class, found -> {
            assertThat(found.binding()).isEqualTo(Binding.ADDRESS);
            assertThat(found.usable()).singleElement().satisfies(d -> {
                assertThat(d.certificate()).isEqualTo(bob);
                assertThat(d.owner()).isEqualTo("file:" + dir.resolve("bob@example.org.pem"));
                assertThat(d.source()).isEqualTo("CertificateDir");
            });
        });
        assertThat(result.steps()).extracting(OwnerLookup::owner)
                .containsExactly("file:" + dir.resolve("bob@example.org.pem"));
        assertThat(asked).isEmpty();
    }

    @Test
    void theDomainFileWhenThereIsNoAddressFile() throws Exception {
        X509Certificate org = TestCertificates.valid("example.org");
        place("example.org.pem", org);

        DiscoveryResult result = discover("alice@example.org");

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.Found.class, found -> {
            assertThat(found.binding()).isEqualTo(Binding.DOMAIN);
            assertThat(found.usable()).extracting(DiscoveredCertificate::certificate).containsExactly(org);
        });
        assertThat(result.steps()).satisfiesExactly(
                none -> assertThat(none).isInstanceOfSatisfying(OwnerLookup.NonePublished.class,
                        n -> assertThat(n.reason()).isEqualTo("no such file")),
                domain -> assertThat(domain.owner()).isEqualTo("file:" + dir.resolve("example.org.pem")));
        assertThat(asked).isEmpty();
    }

    @Test
    void dnsOnlyWhenNeitherFileExistsAndTheFileStepsAreTraced() {
        DiscoveryResult result = discover("alice@example.org");

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.Found.class,
                found -> assertThat(found.usable()).extracting(DiscoveredCertificate::certificate).containsExactly(fromDns));
        assertThat(result.steps()).extracting(OwnerLookup::owner).containsExactly(
                "file:" + dir.resolve("alice@example.org.pem"), "file:" + dir.resolve("example.org.pem"),
                "alice.example.org.", "example.org.");
    }

    @Test
    void aDirectoryThatDoesNotExistIsSkipped() {
        DiscoveryResult result = new CertificateDiscovery(dns, OwnerNameMode.NAIVE, Optional.of(dir.resolve("absent")))
                .discover("alice@example.org", TestCertificates::currentlyValid);

        assertThat(result).isInstanceOf(DiscoveryResult.Found.class);
        assertThat(result.steps()).extracting(OwnerLookup::owner).containsExactly("alice.example.org.", "example.org.");
    }

    @Test
    void unusableFileCertificatesStopDiscoveryWithoutFallingBackToDns() throws Exception {
        place("bob@example.org.pem", TestCertificates.expired("bob@example.org"));

        assertThat(discover("bob@example.org")).isInstanceOfSatisfying(DiscoveryResult.FoundNoneUsable.class, none -> {
            assertThat(none.binding()).isEqualTo(Binding.ADDRESS);
            assertThat(none.unusable()).hasSize(1);
        });
        assertThat(asked).isEmpty();
    }

    @Test
    void aCorruptFileIsReportedAndStopsDiscovery() throws Exception {
        Files.writeString(dir.resolve("bob@example.org.pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n");

        DiscoveryResult result = discover("bob@example.org");

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.FoundNoneUsable.class,
                none -> assertThat(none.unusable()).isEmpty());
        assertThat(result.steps()).singleElement().isInstanceOfSatisfying(OwnerLookup.Published.class,
                p -> assertThat(p.problems()).singleElement().asString().startsWith("not a certificate file (PEM or DER)"));
        assertThat(asked).isEmpty();
    }

    @Test
    void aFileThatCannotBeReadIsATemporaryFailure() throws Exception {
        // A directory in the file's place: reading it fails the way an unreadable file does (tests run as root).
        Files.createDirectory(dir.resolve("bob@example.org.pem"));

        assertThat(discover("bob@example.org")).isInstanceOfSatisfying(DiscoveryResult.TemporaryFailure.class,
                failure -> assertThat(failure.reason()).startsWith("file:" + dir.resolve("bob@example.org.pem")
                        + ": cannot be read"));
        assertThat(asked).isEmpty();
    }

    @Test
    void everyCertificateOfAFileInPemOrDer() throws Exception {
        X509Certificate one = TestCertificates.valid("bob@example.org");
        X509Certificate two = TestCertificates.valid("bob@example.org");
        place("bob@example.org.pem", one, two);
        Files.write(dir.resolve("example.org.pem"), fromDns.getEncoded());

        assertThat(discover("bob@example.org")).isInstanceOfSatisfying(DiscoveryResult.Found.class,
                found -> assertThat(found.usable()).extracting(DiscoveredCertificate::certificate).containsExactly(one, two));
        assertThat(discover("alice@example.org")).isInstanceOfSatisfying(DiscoveryResult.Found.class,
                found -> assertThat(found.usable()).extracting(DiscoveredCertificate::certificate).containsExactly(fromDns));
    }

    @Test
    void aFileIsParsedOnceAndAgainOnlyWhenReplaced() throws Exception {
        place("bob@example.org.pem", TestCertificates.valid("bob@example.org"));
        CertificateDiscovery shared = new CertificateDiscovery(dns, OwnerNameMode.NAIVE, Optional.of(dir));

        X509Certificate first = usable(shared.discover("bob@example.org", TestCertificates::currentlyValid));
        X509Certificate again = usable(shared.discover("bob@example.org", TestCertificates::currentlyValid));
        assertThat(again).isSameAs(first);

        // Replaced the way operators should: written beside it, then renamed over it.
        X509Certificate renewed = TestCertificates.valid("bob@example.org");
        Path next = place(".bob.new", renewed);
        Files.move(next, dir.resolve("bob@example.org.pem"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        assertThat(usable(shared.discover("bob@example.org", TestCertificates::currentlyValid))).isEqualTo(renewed);
    }

    @Test
    void anAddressThatCannotBeAFileNameNamesNoFileOutsideTheDirectory() throws Exception {
        Path inside = Files.createDirectory(dir.resolve("certs"));
        place("x@example.org.pem", TestCertificates.valid("x@example.org"));

        DiscoveryResult result = new CertificateDiscovery(dns, OwnerNameMode.NAIVE, Optional.of(inside))
                .discover("\"../x\"@example.org", TestCertificates::currentlyValid);

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.Found.class,
                found -> assertThat(found.usable()).extracting(DiscoveredCertificate::certificate).containsExactly(fromDns));
    }

    private static X509Certificate usable(DiscoveryResult result) {
        assertThat(result).isInstanceOf(DiscoveryResult.Found.class);
        return ((DiscoveryResult.Found) result).usable().get(0).certificate();
    }
}
