package org.directmilter.milter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.crypto.trust.bundle.BundleSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One file per bundle under BundleDir: what an operator writes, and every mistake reported with its line. */
class BundleFilesTest {

    @TempDir
    Path dir;

    @Test
    void aBundleFileBecomesABundleNamedAfterTheFile() throws Exception {
        Path signer = TestPki.writePem(dir.resolve("signer.pem"), TestPki.root("Operator").cert());
        Files.writeString(dir.resolve("community.conf"), """
                # the community's accredited bundle
                URL         https://bundles.example.org/community.p7b
                Domains     hisp.example.org, Clinic.Example.org
                Directions  incoming, outgoing
                Signer      %s
                Refresh     12h
                """.formatted(signer));
        Files.writeString(dir.resolve("lab.conf"), "URL file:///srv/lab.p7b\nDomains all-domains\nDirections incoming\n");
        Files.writeString(dir.resolve("old.conf.dpkg-old"), "garbage");

        BundleFiles.Loaded loaded = BundleFiles.read(dir, Duration.ofHours(6));

        assertThat(loaded.errors()).isEmpty();
        assertThat(loaded.bundles()).extracting(BundleSpec::name).containsExactly("community", "lab");
        BundleSpec community = loaded.bundles().get(0);
        assertThat(community.url()).hasToString("https://bundles.example.org/community.p7b");
        assertThat(community.domains()).containsExactly("hisp.example.org", "clinic.example.org");
        assertThat(community.directions()).isEqualTo(Set.of(Direction.INCOMING, Direction.OUTGOING));
        assertThat(community.signer()).isPresent();
        assertThat(community.refresh()).isEqualTo(Duration.ofHours(12));
        assertThat(loaded.bundles().get(1).refresh()).as("BundleRefresh").isEqualTo(Duration.ofHours(6));
    }

    @Test
    void everyMistakeIsReportedWithItsFileAndLine() throws Exception {
        Path file = dir.resolve("broken.conf");
        Files.writeString(file, "URL http://plain.example.org/b.p7b\nDirections sideways\nSignr /x\n");
        Files.writeString(dir.resolve("incomplete.conf"), "URL https://b.example.org/b.p7b\nSigner /nonexistent.pem\n");

        BundleFiles.Loaded loaded = BundleFiles.read(dir, Duration.ofHours(6));

        assertThat(loaded.bundles()).isEmpty();
        assertThat(loaded.errors()).extracting(ConfigError::toString).containsExactly(
                file + ":1: bad value for \"URL\": \"http://plain.example.org/b.p7b\" is neither an https: URL with "
                        + "a host nor a file: URL",
                file + ":2: bad value for \"Directions\": \"sideways\" is not incoming, outgoing or both",
                file + ":3: unknown key \"Signr\" (did you mean \"Signer\"?)",
                dir.resolve("incomplete.conf") + ": Domains is required (all-domains: every local domain)",
                dir.resolve("incomplete.conf") + ": Directions is required (incoming, outgoing or both)",
                dir.resolve("incomplete.conf") + ":2: cannot read Signer: /nonexistent.pem");
    }

    @Test
    void noDirectoryMeansNoBundles() {
        BundleFiles.Loaded loaded = BundleFiles.read(dir.resolve("absent"), Duration.ofHours(6));

        assertThat(loaded.bundles()).isEmpty();
        assertThat(loaded.errors()).isEmpty();
    }
}
