package org.directmilter.milter.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.directmilter.crypto.keys.KeySource;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.testpki.SoftHsm;
import org.directmilter.crypto.testpki.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon opens its PKCS#11 token at start; a PIN the token refuses stops the start. */
class TokenStartTest {

    private static final TestPki PKI = TestPki.create("Token Start CA");

    @TempDir
    Path dir;

    private Path config(SoftHsm.Token token, Path pin) throws IOException {
        return Files.writeString(dir.resolve("direct-milter.conf"), "TemporaryDirectory " + dir
                + "\nTrackingDatabase " + dir.resolve("tracking.db") + "\nSocket inet:0@127.0.0.1\nDomains hisp.example\nKeyStore " + dir + "\nPkcs11Library "
                + SoftHsm.LIBRARY + "\nPkcs11Slot " + token.slot() + "\nPkcs11PinFile " + pin + "\n");
    }

    @Test
    void aRefusedPinStopsTheStartWithAConfigurationStatusNamingThePinFile() throws IOException {
        SoftHsm.Token token = SoftHsm.newToken();
        Path wrong = SoftHsm.pinFile(dir, "4321");

        assertThatThrownBy(() -> DaemonRunner.bind(config(token, wrong)))
                .isInstanceOfSatisfying(StartupException.class, e -> assertThat(e.exitStatus())
                        .isEqualTo(ExitStatus.CONFIG))
                .hasMessageStartingWith("Pkcs11PinFile: ").hasMessageContaining("refused the PIN in " + wrong)
                .hasMessageNotContaining("4321");
    }

    @Test
    void theTokensKeysServeMessagesAndSurviveAReload() throws Exception {
        SoftHsm.Token token = SoftHsm.newToken();
        PrivateKeyEntry alice = PKI.rsaEntity("alice@hisp.example", 2048);
        SoftHsm.importKey(token, "alice", alice);
        DaemonRunner runner = DaemonRunner.bind(config(token, SoftHsm.pinFile(dir, SoftHsm.USER_PIN)));
        try {
            PrivateKeyEntry found = runner.policy().keys().keysFor("alice@hisp.example").get(0);
            assertThat(found.source()).isInstanceOf(KeySource.Pkcs11Token.class);
            assertThat(found.certificate()).isEqualTo(alice.certificate());

            runner.reload();

            assertThat(runner.policy().keys().keysFor("alice@hisp.example").get(0).source())
                    .as("the same token, not opened again").isEqualTo(found.source());
        } finally {
            runner.stop(Duration.ofSeconds(5));
        }
    }
}
