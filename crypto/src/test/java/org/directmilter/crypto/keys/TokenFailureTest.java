package org.directmilter.crypto.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.AuthProvider;
import java.security.ProviderException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.crypto.smime.UnprotectOptions;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.smime.Unprotector;
import org.directmilter.crypto.testpki.MutableClock;
import org.directmilter.crypto.testpki.SoftHsm;
import org.directmilter.crypto.testpki.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token that stops working while the daemon runs (here: logged out underneath it) makes signing and
 * unwrapping fail temporarily, never as the message's fault, and the store recovers on its next refresh.
 */
class TokenFailureTest {

    private static final TestPki PKI = TestPki.create("Token Failure CA");
    private static final PrivateKeyEntry ALICE = PKI.rsaEntity("alice@hisp.example", 2048);
    private static final PrivateKeyEntry BOB = PKI.rsaEntity("bob@partner.example", 2048);
    private static final byte[] MESSAGE = ("From: bob@partner.example\r\nTo: alice@hisp.example\r\n"
            + "Subject: test\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void tokenLoggedOutUnderneathTempfailsBothWaysAndRecoversOnRefresh() throws Exception {
        SoftHsm.Token token = SoftHsm.newToken();
        SoftHsm.importKey(token, "alice", ALICE);
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T00:00:00Z"));
        Pkcs11KeyStore store = Pkcs11KeyStore.open(new Pkcs11KeyStore.Settings(SoftHsm.LIBRARY, token.slot(),
                SoftHsm.pinFile(dir, SoftHsm.USER_PIN)), Set.of(), clock);
        PrivateKeyEntry alice = store.keysFor("alice@hisp.example").get(0);
        ByteArrayOutputStream toAlice = new ByteArrayOutputStream();
        new Protector(ProtectOptions.DEFAULTS).protectMessage(new ByteArrayInputStream(MESSAGE), BOB,
                List.of(ALICE.certificate()), toAlice);
        Unprotector unprotector = new Unprotector(new UnprotectOptions(false, 1 << 20, dir));

        ((AuthProvider) store.provider()).logout();

        assertThatThrownBy(() -> unprotector.unprotect(new ByteArrayInputStream(toAlice.toByteArray()),
                List.of(alice))).isInstanceOf(KeyUnavailableException.class).hasMessageContaining("token");
        assertThatThrownBy(() -> new Protector(ProtectOptions.DEFAULTS).protectMessage(
                new ByteArrayInputStream(MESSAGE), alice, List.of(BOB.certificate()), new ByteArrayOutputStream()))
                .isInstanceOf(KeyUnavailableException.class).hasMessageContaining("PKCS#11 token");

        clock.advance(Pkcs11KeyStore.REFRESH.plusSeconds(1));
        PrivateKeyEntry again = store.keysFor("alice@hisp.example").get(0);
        UnprotectResult result = unprotector.unprotect(new ByteArrayInputStream(toAlice.toByteArray()), List.of(again));
        assertThat(result).isInstanceOf(UnprotectResult.Verified.class);
        ((UnprotectResult.Verified) result).close();
    }

    @Test
    void onlyFailuresNoCiphertextCanCauseCountAsTokenFailures() {
        assertThat(TokenFailures.tokenFailure(new ProviderException(new Exception("CKR_DEVICE_REMOVED"))))
                .contains("CKR_DEVICE_REMOVED");
        assertThat(TokenFailures.tokenFailure(new RuntimeException("x", new Exception("CKR_USER_NOT_LOGGED_IN"))))
                .contains("CKR_USER_NOT_LOGGED_IN");
        for (String dataDependent : List.of("CKR_ENCRYPTED_DATA_INVALID", "CKR_ENCRYPTED_DATA_LEN_RANGE",
                "CKR_WRAPPED_KEY_INVALID", "CKR_GENERAL_ERROR", "CKR_DEVICE_ERROR", "CKR_FUNCTION_FAILED")) {
            assertThat(TokenFailures.tokenFailure(new ProviderException(new Exception(dataDependent))))
                    .as(dataDependent).isEmpty();
        }
    }
}
