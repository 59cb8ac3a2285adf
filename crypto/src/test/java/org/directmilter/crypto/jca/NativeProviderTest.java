package org.directmilter.crypto.jca;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import org.directmilter.crypto.keys.Pkcs12DirectoryKeyStore;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.testpki.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NativeProvider} on this x86_64 Linux: installed first, every default lookup of the S/MIME code then
 * answered natively; and a native part that cannot load leaves the JDK's providers as they were. Outside the
 * native-crypto run the provider is removed again after each test, so the other tests of this JVM keep the
 * JDK's providers.
 */
class NativeProviderTest {

    private static final String ACCP = "AmazonCorrettoCryptoProvider";

    @AfterEach
    void restoreTheJdkProviders() {
        if (!NativeProviderSession.required()) {
            Security.removeProvider(ACCP);
        }
    }

    @Test
    void installsItselfFirstAndAnswersTheLookupsTheSmimeCodeMakes() throws Exception {
        NativeProvider.Installation result = NativeProvider.install();

        assertThat(result).isInstanceOf(NativeProvider.Installation.Installed.class);
        NativeProvider.Installation.Installed installed = (NativeProvider.Installation.Installed) result;
        assertThat(installed.name()).isEqualTo(ACCP);
        assertThat(installed.version()).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(installed.describe()).isEqualTo(ACCP + " " + installed.version() + " in use");
        assertThat(Security.getProviders()[0].getName()).isEqualTo(ACCP);
        List<Provider> answering = List.of(
                Cipher.getInstance("RSA/ECB/PKCS1Padding").getProvider(),
                Cipher.getInstance("AES/CBC/PKCS5Padding").getProvider(),
                Signature.getInstance("SHA256withRSA").getProvider(),
                MessageDigest.getInstance("SHA-256").getProvider(),
                Mac.getInstance("HmacSHA256").getProvider(),
                new SecureRandom().getProvider());
        assertThat(answering).extracting(Provider::getName).containsOnly(ACCP);
    }

    @Test
    void installingAgainOrFromFurtherDownLeavesItFirstOnce() {
        NativeProvider.install();
        Security.removeProvider(ACCP);
        Security.addProvider(installedProvider()); // last, as a java.security entry might put it

        NativeProvider.Installation again = NativeProvider.install();
        NativeProvider.Installation third = NativeProvider.install();

        assertThat(again).isEqualTo(third).isInstanceOf(NativeProvider.Installation.Installed.class);
        assertThat(Security.getProviders()[0].getName()).isEqualTo(ACCP);
        assertThat(Arrays.stream(Security.getProviders()).filter(p -> p.getName().equals(ACCP))).hasSize(1);
    }

    /**
     * The daemon installs the provider before it reads a key: a PKCS#12 key read afterwards is built by the
     * first provider's KeyFactory, so it is ACCP's own and signs and unwraps at native speed (a JDK key
     * handed to ACCP is translated on every use, which costs most of the gain).
     */
    @Test
    void aKeyReadFromItsPkcs12FileAfterInstallingIsTheProvidersOwn(@TempDir Path dir) throws Exception {
        PrivateKeyEntry written = TestPki.create("native CA").rsaEntity("alice@hisp.example", 2048);
        TestPki.writePkcs12(dir.resolve("hisp.example.p12"), written, "s3cret");
        Files.writeString(dir.resolve("password"), "s3cret\n");
        Files.setPosixFilePermissions(dir.resolve("password"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        NativeProvider.install();
        PrivateKeyEntry read = new Pkcs12DirectoryKeyStore(dir).keysFor("alice@hisp.example").get(0);

        assertThat(read.key().getClass().getName()).startsWith("com.amazon.corretto.crypto.provider.");
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(read.key());
        signature.update(new byte[] {1, 2, 3});
        byte[] signed = signature.sign();
        signature.initVerify(written.certificate());
        signature.update(new byte[] {1, 2, 3});
        assertThat(signature.verify(signed)).isTrue();
        assertThat(signature.getProvider().getName()).isEqualTo(ACCP);
    }

    /**
     * ACCP unpacks its library under com.amazon.corretto.crypto.provider.tmpdir; a file there instead of a
     * directory makes loading fail for real, in a JVM of its own (the library loads once per JVM).
     */
    @Test
    void aNativePartThatCannotLoadLeavesTheJdkProvidersInPlace(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "not a directory");

        List<String> lines = probe("-Dcom.amazon.corretto.crypto.provider.tmpdir=" + notADirectory);

        assertThat(lines.get(0)).startsWith("AmazonCorrettoCryptoProvider unavailable (")
                .endsWith("); using the JDK's providers");
        assertThat(lines.get(1)).isEqualTo("first: SUN").doesNotContain(ACCP);
        assertThat(lines.get(2)).isEqualTo("RSA from: SunJCE");
    }

    private static Provider installedProvider() {
        NativeProvider.install();
        return Security.getProvider(ACCP);
    }

    /** {@link NativeProviderProbe} in a child JVM with this test's class path: its output lines. */
    private static List<String> probe(String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), NativeProviderProbe.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the probe JVM ends").isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out.lines().toList();
    }
}
