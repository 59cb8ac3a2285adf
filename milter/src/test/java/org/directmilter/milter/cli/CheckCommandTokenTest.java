package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.testpki.SoftHsm;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.milter.cli.CheckCommandTest.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check} with keys in a real SoftHSM2 token and in the KeyStore directory. */
class CheckCommandTokenTest {

    private static final TestPki PKI = TestPki.create("Check Token CA");

    @TempDir
    Path dir;

    private Path config(SoftHsm.Token token, Path pinFile) throws IOException {
        return Files.writeString(dir.resolve("direct-milter.conf"), "Socket inet:0@127.0.0.1\nTemporaryDirectory "
                + dir + "\nDomains hisp.example.org\nKeyStore " + dir + "\nPkcs11Library " + SoftHsm.LIBRARY
                + "\nPkcs11Slot " + token.slot() + "\nPkcs11PinFile " + pinFile + "\n");
    }

    @Test
    void listsTheTokensKeysThenTheKeyStoresSayingWhereEachComesFrom() throws IOException {
        SoftHsm.Token token = SoftHsm.newToken();
        PrivateKeyEntry alice = PKI.rsaEntity("alice@hisp.example.org", 2048);
        SoftHsm.importKey(token, "alice-2026", alice);
        TestPki.writePkcs12(dir.resolve("hisp.example.org.p12"), PKI.rsaEntity("hisp.example.org", 2048), "pw");
        Files.writeString(dir.resolve("password"), "pw\n");
        Files.setPosixFilePermissions(dir.resolve("password"),
                PosixFilePermissions.fromString("rw-------"));

        Outcome outcome = CheckCommandTest.run("check", "-c",
                config(token, SoftHsm.pinFile(dir, SoftHsm.USER_PIN)).toString());

        assertThat(outcome.status()).as(outcome.err()).isZero();
        assertThat(outcome.out().lines().filter(l -> l.startsWith("key: ")).toList()).satisfiesExactly(
                first -> assertThat(first).startsWith("key: alice-2026, alice@hisp.example.org: ")
                        .contains("CN=alice@hisp.example.org")
                        .endsWith("from PKCS#11 token in slot " + token.slot() + " of " + SoftHsm.LIBRARY
                                + ", label \"alice-2026\""),
                second -> assertThat(second).startsWith("key: hisp.example.org: ")
                        .endsWith("from PKCS#12 file " + dir.resolve("hisp.example.org.p12")));
    }

    @Test
    void aPinTheTokenRefusesIsAConfigurationErrorNamingThePinFile() throws IOException {
        SoftHsm.Token token = SoftHsm.newToken();
        Path wrong = SoftHsm.pinFile(dir, "000000");

        Outcome outcome = CheckCommandTest.run("check", "-c", config(token, wrong).toString());

        assertThat(outcome.status()).isEqualTo(78);
        assertThat(outcome.err().lines()).first().asString().contains("Pkcs11PinFile: ")
                .contains("refused the PIN in " + wrong).doesNotContain("000000");
        assertThat(outcome.out()).isEmpty();
    }

    @Test
    void aMissingModuleIsAConfigurationErrorNamingIt() throws IOException {
        Path pin = SoftHsm.pinFile(dir, SoftHsm.USER_PIN);
        Path conf = Files.writeString(dir.resolve("direct-milter.conf"), "Socket inet:0@127.0.0.1\n"
                + "TemporaryDirectory " + dir + "\nDomains hisp.example.org\nKeyStore " + dir
                + "\nPkcs11Library /usr/lib/no-such-pkcs11.so\nPkcs11PinFile " + pin + "\n");

        Outcome outcome = CheckCommandTest.run("check", "-c", conf.toString());

        assertThat(outcome.status()).isEqualTo(78);
        assertThat(outcome.err().lines()).first().asString().contains("Pkcs11Library: ")
                .contains("/usr/lib/no-such-pkcs11.so does not exist");
    }
}
