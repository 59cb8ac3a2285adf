package org.directmilter.crypto.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.text.LogCapture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Pkcs12DirectoryKeyStoreTest {

    private static final TestPki PKI = TestPki.create("Key store CA");
    private static final PrivateKeyEntry ADDRESS = PKI.rsaEntity("alice@hisp.example", 2048);
    private static final PrivateKeyEntry DOMAIN = PKI.rsaEntity("hisp.example", 2048);

    @TempDir
    Path dir;
    private long ownGroup;

    @BeforeEach
    void setUp() throws Exception {
        ownGroup = ((Number) Files.getAttribute(dir, "unix:gid")).longValue();
    }

    private void write(String name, PrivateKeyEntry entry, String password, String mode) throws Exception {
        Path file = TestPki.writePkcs12(dir.resolve(name + ".p12"), entry, password);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    private void password(String file, String password) throws Exception {
        Path p = Files.writeString(dir.resolve(file), password + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void addressKeyComesBeforeTheDomainKey() throws Exception {
        write("alice@hisp.example", ADDRESS, "s3cret-a", "rw-------");
        password("alice@hisp.example.pass", "s3cret-a");
        write("hisp.example", DOMAIN, "s3cret-d", "rw-r-----");
        password("password", "s3cret-d");
        var store = new Pkcs12DirectoryKeyStore(dir, Set.of(ownGroup));

        assertThat(store.keysFor("Alice@HISP.example")).extracting(PrivateKeyEntry::certificate)
                .containsExactly(ADDRESS.certificate(), DOMAIN.certificate());
        assertThat(store.keysFor("bob@hisp.example")).extracting(PrivateKeyEntry::certificate)
                .containsExactly(DOMAIN.certificate());
        assertThat(store.keysFor("bob@elsewhere.example")).isEmpty();
    }

    @Test
    void worldReadableOrForeignGroupKeysAreRefusedNamingThePath() throws Exception {
        write("hisp.example", DOMAIN, "pw", "rw----r--");
        password("password", "pw");
        assertThatThrownBy(() -> new Pkcs12DirectoryKeyStore(dir, Set.of(ownGroup)).keysFor("a@hisp.example"))
                .isInstanceOf(KeyStoreException.class)
                .hasMessageContaining(dir.resolve("hisp.example.p12").toString())
                .hasMessageContaining("every user");

        Files.setPosixFilePermissions(dir.resolve("hisp.example.p12"), PosixFilePermissions.fromString("rw-r-----"));
        assertThatThrownBy(() -> new Pkcs12DirectoryKeyStore(dir, Set.of(ownGroup + 1)).keysFor("a@hisp.example"))
                .isInstanceOf(KeyStoreException.class)
                .hasMessageContaining(dir.resolve("hisp.example.p12").toString())
                .hasMessageContaining("not the daemon's group");
    }

    @Test
    void wrongPasswordAndCorruptFilesNameTheFileButNeverThePassword() throws Exception {
        write("hisp.example", DOMAIN, "right-password", "rw-------");
        password("password", "wrong-password");
        var store = new Pkcs12DirectoryKeyStore(dir, Set.of(ownGroup));
        assertThatThrownBy(() -> store.keysFor("a@hisp.example")).isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("hisp.example.p12")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-password", "right-password"));

        Files.write(dir.resolve("other.example.p12"), new byte[] {0x30, 0x03, 1, 2, 3});
        Files.setPosixFilePermissions(dir.resolve("other.example.p12"), PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> store.keysFor("x@other.example")).isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("other.example.p12");
    }

    @Test
    void missingPasswordFileAndHostileAddressesAreReported() throws Exception {
        write("hisp.example", DOMAIN, "pw", "rw-------");
        var store = new Pkcs12DirectoryKeyStore(dir, Set.of(ownGroup));
        assertThatThrownBy(() -> store.keysFor("a@hisp.example")).isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("no password file");
        assertThatThrownBy(() -> store.keysFor("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aKeyMadeWorldReadableAfterLoadingIsRefusedFromThenOnAndLoggedOnce() throws Exception {
        write("hisp.example", DOMAIN, "pw", "rw-------");
        password("password", "pw");
        var store = new Pkcs12DirectoryKeyStore(dir, Set.of(ownGroup));
        assertThat(store.keysFor("a@hisp.example")).hasSize(1);

        Files.setPosixFilePermissions(dir.resolve("hisp.example.p12"), PosixFilePermissions.fromString("rw----r--"));
        try (LogCapture log = LogCapture.of(PrivateFiles.class)) {
            for (int message = 0; message < 3; message++) {
                assertThatThrownBy(() -> store.keysFor("a@hisp.example")).isInstanceOf(KeyStoreException.class)
                        .hasMessageContaining("hisp.example.p12").hasMessageContaining("accessible to every user");
            }

            assertThat(log.lines(Level.WARN)).singleElement().satisfies(line -> assertThat(line)
                    .contains("hisp.example.p12").contains("accessible to every user"));
        }
        Files.setPosixFilePermissions(dir.resolve("hisp.example.p12"), PosixFilePermissions.fromString("rw-------"));
        assertThat(store.keysFor("a@hisp.example")).as("private again: used again").hasSize(1);
    }

    @Test
    void aPasswordFileMadeWorldReadableAfterLoadingRefusesItsKey() throws Exception {
        write("hisp.example", DOMAIN, "pw", "rw-------");
        password("password", "pw");
        var store = new Pkcs12DirectoryKeyStore(dir, Set.of(ownGroup));
        assertThat(store.keysFor("a@hisp.example")).hasSize(1);

        Files.setPosixFilePermissions(dir.resolve("password"), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> store.keysFor("a@hisp.example")).isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("password").hasMessageContaining("accessible to every user");
    }

    @Test
    void aKeyFileReplacedOnDiskIsReadAgainAndItsModesJudged() throws Exception {
        write("hisp.example", DOMAIN, "pw", "rw-------");
        password("password", "pw");
        var store = new Pkcs12DirectoryKeyStore(dir, Set.of(ownGroup));
        assertThat(store.keysFor("a@hisp.example")).extracting(PrivateKeyEntry::certificate)
                .containsExactly(DOMAIN.certificate());

        // another key under the same name: a new modification time and size, so the cached one goes
        Path file = dir.resolve("hisp.example.p12");
        var before = Files.getLastModifiedTime(file);
        write("hisp.example", ADDRESS, "pw", "rw-------");
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 2000));
        assertThat(store.keysFor("a@hisp.example")).extracting(PrivateKeyEntry::certificate)
                .containsExactly(ADDRESS.certificate());

        // readable by a group that is not the daemon's: refused on the same stat that saw the change
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        var foreign = new Pkcs12DirectoryKeyStore(dir, Set.of(ownGroup + 1));
        assertThatThrownBy(() -> foreign.keysFor("a@hisp.example")).isInstanceOf(KeyStoreException.class)
                .hasMessageContaining("hisp.example.p12").hasMessageContaining("not the daemon's group");
        assertThat(store.keysFor("a@hisp.example")).as("the daemon's own group may read it").hasSize(1);
    }
}
