package org.directmilter.crypto.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.directmilter.crypto.testpki.SoftHsm;
import org.directmilter.crypto.testpki.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PKCS#11 store against a real SoftHSM2 token, keys imported with pkcs11-tool. */
class Pkcs11KeyStoreTest {

    private static final TestPki PKI = TestPki.create("Token Test CA");
    private static final PrivateKeyEntry ALICE = PKI.rsaEntity("alice@hisp.example", 2048);
    private static final PrivateKeyEntry DOMAIN = PKI.rsaEntity("postmaster@hisp.example", 2048);

    @TempDir
    static Path dir;
    private static SoftHsm.Token token;

    @BeforeAll
    static void token() {
        token = SoftHsm.newToken();
        // alice's key found by its certificate's rfc822Name (the label says nothing); the domain key by its label
        SoftHsm.importKey(token, "signing-key-1", ALICE);
        SoftHsm.importKey(token, "hisp.example", DOMAIN);
    }

    private static Pkcs11KeyStore.Settings settings(Path pinFile) {
        return new Pkcs11KeyStore.Settings(SoftHsm.LIBRARY, token.slot(), pinFile);
    }

    private static Pkcs11KeyStore open() throws Exception {
        return Pkcs11KeyStore.open(settings(SoftHsm.pinFile(dir, SoftHsm.USER_PIN)));
    }

    @Test
    void findsKeysByCertificateAddressThenByDomainLabelAndTheyStayInTheToken() throws Exception {
        Pkcs11KeyStore store = open();

        List<PrivateKeyEntry> keys = store.keysFor("Alice@HISP.example");

        assertThat(keys).extracting(PrivateKeyEntry::certificate)
                .containsExactly(ALICE.certificate(), DOMAIN.certificate());
        assertThat(keys.get(0).key().getEncoded()).as("a handle: the key never leaves the token").isNull();
        assertThat(keys.get(0).source()).isInstanceOf(KeySource.Pkcs11Token.class);
        assertThat(keys.get(0).source().provider()).contains(store.provider());
        assertThat(keys.get(0).source().describe()).contains("slot " + token.slot()).contains("signing-key-1");
        assertThat(store.keysFor("bob@hisp.example")).extracting(PrivateKeyEntry::certificate)
                .containsExactly(DOMAIN.certificate());
        assertThat(store.keysFor("carol@elsewhere.example")).isEmpty();
        assertThat(store.allKeys()).hasSize(2);
        assertThat(Pkcs11KeyStore.namesOf(keys.get(0))).contains("alice@hisp.example");
    }

    @Test
    void compositeGivesEveryStoresAddressKeysBeforeAnyDomainKey() throws Exception {
        Path p12 = Files.createDirectories(dir.resolve("p12"));
        PrivateKeyEntry fileDomainKey = PKI.rsaEntity("hisp.example", 2048);
        TestPki.writePkcs12(p12.resolve("hisp.example.p12"), fileDomainKey, "secret");
        Files.writeString(p12.resolve("password"), "secret\n");
        Files.setPosixFilePermissions(p12.resolve("password"), PosixFilePermissions.fromString("rw-------"));
        CompositeKeyStore both = new CompositeKeyStore(List.of(new Pkcs12DirectoryKeyStore(p12), open()));

        List<PrivateKeyEntry> keys = both.keysFor("alice@hisp.example");

        assertThat(keys).extracting(PrivateKeyEntry::certificate)
                .containsExactly(ALICE.certificate(), fileDomainKey.certificate(), DOMAIN.certificate());
        assertThat(keys.get(1).source()).isEqualTo(new KeySource.Pkcs12File(p12.resolve("hisp.example.p12")));
    }

    @Test
    void wrongPinRefusesToOpenAndSaysItIsNotRetried() {
        // a token of its own: PKCS#11 login is per process and token, and the others are logged in already
        SoftHsm.Token fresh = SoftHsm.newToken();
        Path wrong = SoftHsm.pinFile(dir, "9999");

        assertThatThrownBy(() -> Pkcs11KeyStore.open(new Pkcs11KeyStore.Settings(SoftHsm.LIBRARY, fresh.slot(), wrong)))
                .isInstanceOf(Pkcs11KeyStore.WrongPinException.class)
                .hasMessageContaining("refused the PIN in " + wrong).hasMessageContaining("not retried")
                .hasMessageNotContaining("9999");
    }

    @Test
    void pinFileOthersMayReadIsRefusedBeforeTheTokenIsAsked() throws Exception {
        Path pin = SoftHsm.pinFile(dir, SoftHsm.USER_PIN);
        Files.setPosixFilePermissions(pin, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> Pkcs11KeyStore.open(settings(pin), Set.of(), Clock.systemUTC()))
                .isInstanceOf(KeyStoreException.class).hasMessageContaining(pin + ": is accessible to every user");
    }

    @Test
    void missingLibraryOrSlotIsAKeyStoreExceptionNamingIt() {
        Path pin = SoftHsm.pinFile(dir, SoftHsm.USER_PIN);
        Path gone = dir.resolve("libnothere.so");

        assertThatThrownBy(() -> Pkcs11KeyStore.open(new Pkcs11KeyStore.Settings(gone, 0, pin)))
                .isInstanceOf(KeyStoreException.class).hasMessageContaining(gone + " does not exist");
        assertThatThrownBy(() -> Pkcs11KeyStore.open(new Pkcs11KeyStore.Settings(SoftHsm.LIBRARY, 4242, pin)))
                .isInstanceOf(KeyStoreException.class).hasMessageContaining("slot 4242");
    }
}
