package org.directmilter.milter.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.directmilter.crypto.keys.Pkcs12DirectoryKeyStore;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.crypto.trust.Purpose;
import org.directmilter.crypto.trust.TrustSettings;
import org.directmilter.crypto.trust.TrustValidator;
import org.directmilter.crypto.trust.ValidationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo directory in-process: what is made, with which permissions, and that it all fits together. */
class DemoSetupTest {

    @TempDir
    static Path dir;

    static DemoSetup.Prepared first;

    @BeforeAll
    static void prepare() throws Exception {
        first = DemoSetup.prepare(dir.resolve("demo"), 18_891);
    }

    private static DemoLayout layout() {
        return first.layout();
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void privateFilesAreTheOwnersAloneAndPublicOnesReadable() throws Exception {
        assertThat(first.pkiCreated()).isTrue();
        assertThat(first.configCreated()).isTrue();
        assertThat(layout().pkiFiles()).allSatisfy(f -> assertThat(f).isRegularFile());
        assertThat(mode(layout().passwordFile().getParent())).isEqualTo("rwx------");
        assertThat(mode(layout().passwordFile())).isEqualTo("rw-------");
        for (DemoLayout.Hisp hisp : DemoLayout.HISPS) {
            assertThat(mode(layout().keyFile(hisp.identity()))).isEqualTo("rw-------");
            assertThat(mode(layout().certificateFile(hisp.identity()))).isEqualTo("rw-r--r--");
        }
        assertThat(mode(layout().signerAnchor())).isEqualTo("rw-r--r--");
        assertThat(Files.readString(layout().config())).contains("Socket              inet:18891@127.0.0.1\n",
                "Domains             hisp-a.example, hisp-b.example\n", "CertificateDir      " + layout().root().resolve("certs"),
                "Nameservers         127.0.0.1:1\n");
    }

    @Test
    void runningItAgainReusesEverythingEvenWithAnotherPort() throws Exception {
        byte[] key = Files.readAllBytes(layout().keyFile(DemoLayout.RECIPIENT));
        String config = Files.readString(layout().config());

        DemoSetup.Prepared again = DemoSetup.prepare(layout().root(), 9999);

        assertThat(again.pkiCreated()).isFalse();
        assertThat(again.configCreated()).isFalse();
        assertThat(Files.readAllBytes(layout().keyFile(DemoLayout.RECIPIENT))).isEqualTo(key);
        assertThat(Files.readString(layout().config())).isEqualTo(config);
    }

    @Test
    void anIncompletePkiIsMadeAnewAsAWhole() throws Exception {
        DemoSetup.Prepared own = DemoSetup.prepare(dir.resolve("incomplete"), 18_892);
        X509Certificate before = certificate(own.layout().certificateFile(DemoLayout.RECIPIENT));
        Files.delete(own.layout().signerAnchor());

        DemoSetup.Prepared again = DemoSetup.prepare(own.layout().root(), 18_892);

        assertThat(again.pkiCreated()).isTrue();
        assertThat(own.layout().signerAnchor()).isRegularFile();
        assertThat(certificate(own.layout().certificateFile(DemoLayout.RECIPIENT))).isNotEqualTo(before);
    }

    @Test
    void theKeysLoadInTheDaemonsKeyStoreWithTheCertificatesFromCertificateDir() throws Exception {
        Pkcs12DirectoryKeyStore store = new Pkcs12DirectoryKeyStore(layout().passwordFile().getParent());

        List<PrivateKeyEntry> alice = store.keysFor(DemoLayout.SENDER);
        List<PrivateKeyEntry> bob = store.keysFor(DemoLayout.RECIPIENT);

        assertThat(alice).singleElement().satisfies(e -> assertThat(e.chain().get(0))
                .isEqualTo(certificate(layout().certificateFile("hisp-a.example"))));
        assertThat(bob).singleElement().satisfies(e -> assertThat(e.chain().get(0))
                .isEqualTo(certificate(layout().certificateFile(DemoLayout.RECIPIENT))));
    }

    @Test
    void eachDomainTrustsTheOthersCertificatesBothWays() throws Exception {
        TrustValidator validator = new TrustValidator(AnchorStore.read(layout().root().resolve("anchors")),
                TrustSettings.defaults());
        X509Certificate bob = certificate(layout().certificateFile(DemoLayout.RECIPIENT));
        X509Certificate hispA = certificate(layout().certificateFile("hisp-a.example"));

        List<ValidationResult> verdicts = List.of(
                validator.validate(bob, Purpose.ENCRYPTION, DemoLayout.RECIPIENT, "hisp-a.example", Direction.OUTGOING, List.of()),
                validator.validate(hispA, Purpose.SIGNING, DemoLayout.SENDER, "hisp-b.example", Direction.INCOMING, List.of()),
                validator.validate(hispA, Purpose.ENCRYPTION, DemoLayout.SENDER, "hisp-b.example", Direction.OUTGOING, List.of()),
                validator.validate(bob, Purpose.SIGNING, DemoLayout.RECIPIENT, "hisp-a.example", Direction.INCOMING, List.of()));

        assertThat(verdicts).allSatisfy(v -> assertThat(v.usable()).as(v.explanation()).isTrue());
    }

    @Test
    void pathsThatAShellWouldSplitAreQuoted() {
        assertThat(DemoInstructions.shell(Path.of("/tmp/a b/it's.pem"))).isEqualTo("'/tmp/a b/it'\\''s.pem'");
        assertThat(DemoInstructions.shell(Path.of("/tmp/demo/keys/bob@hisp-b.example.p12")))
                .isEqualTo("/tmp/demo/keys/bob@hisp-b.example.p12");
    }
}
