package org.directmilter.crypto.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.directmilter.crypto.jca.NativeProvider;
import org.directmilter.crypto.keys.Pkcs12DirectoryKeyStore;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.crypto.smime.UnprotectOptions;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.smime.Unprotector;
import org.directmilter.crypto.testpki.TestPki;

/**
 * Plain harness for NativeCrypto: CPU microseconds per operation with the JDK's providers and with Amazon
 * Corretto Crypto Provider in the same JVM — the RSA-2048 private-key operations of a message (sign, unwrap
 * the content key), its public-key check, SHA-256 and AES-256-CBC on 1 MB, and a whole 10 KB message
 * protected and unprotected with each first; the keys read from PKCS#12 files as the daemon reads them. Best of a few rounds, alternating. Run: mvn -q -o -pl crypto
 * test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.directmilter.crypto.bench.ProviderBenchmark
 * (-Dbench.seconds=S, -Dbench.rounds=N).
 */
public final class ProviderBenchmark {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final double SECONDS = Double.parseDouble(System.getProperty("bench.seconds", "1.0"));
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    interface Work {
        void run() throws Exception;
    }

    private ProviderBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        NativeProvider.Installation installation = NativeProvider.install();
        if (!(installation instanceof NativeProvider.Installation.Installed)) {
            throw new IllegalStateException(installation.describe());
        }
        Provider accp = Security.getProviders()[0];
        Security.removeProvider(accp.getName()); // named where wanted, first only for the whole-message rows

        TestPki pki = TestPki.create("bench CA");
        // As the daemon has them: read from PKCS#12 files, with ACCP first (its own key objects) or not
        Path keys = Files.createTempDirectory("provider-bench");
        TestPki.writePkcs12(keys.resolve("alice@hisp.example.p12"), pki.rsaEntity("alice@hisp.example", 2048), "pw");
        TestPki.writePkcs12(keys.resolve("bob@partner.example.p12"), pki.rsaEntity("bob@partner.example", 2048), "pw");
        Files.writeString(keys.resolve("password"), "pw\n");
        Files.setPosixFilePermissions(keys.resolve("password"), PosixFilePermissions.fromString("rw-------"));
        PrivateKeyEntry sender = new Pkcs12DirectoryKeyStore(keys).keysFor("alice@hisp.example").get(0);
        PrivateKeyEntry recipient = new Pkcs12DirectoryKeyStore(keys).keysFor("bob@partner.example").get(0);
        Security.insertProviderAt(accp, 1);
        PrivateKeyEntry nativeSender = new Pkcs12DirectoryKeyStore(keys).keysFor("alice@hisp.example").get(0);
        PrivateKeyEntry nativeRecipient = new Pkcs12DirectoryKeyStore(keys).keysFor("bob@partner.example").get(0);
        Security.removeProvider(accp.getName());
        byte[] attributes = new byte[120]; // about what a CMS signature's signed attributes are
        Cipher wrap = Cipher.getInstance("RSA/ECB/PKCS1Padding", "SunJCE");
        wrap.init(Cipher.ENCRYPT_MODE, recipient.certificate().getPublicKey());
        byte[] wrapped = wrap.doFinal(new byte[32]);
        byte[] signature = sign(Signature.getInstance("SHA256withRSA", "SunRsaSign"), sender, attributes);
        byte[] megabyte = new byte[1 << 20];
        byte[] cipherOut = new byte[megabyte.length + 32];
        SecretKeySpec aesKey = new SecretKeySpec(new byte[32], "AES");
        IvParameterSpec iv = new IvParameterSpec(new byte[16]);

        System.out.printf("%d CPUs, Java %s, %s; CPU µs per operation, best of %d rounds of %.1f s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), installation.describe(), ROUNDS, SECONDS);
        System.out.printf("%-36s %10s %10s %6s%n", "operation", "JDK", "ACCP", "JDK/ACCP");
        compare("RSA-2048 sign (SHA256withRSA)",
                () -> sign(Signature.getInstance("SHA256withRSA", "SunRsaSign"), sender, attributes),
                () -> sign(Signature.getInstance("SHA256withRSA", accp), nativeSender, attributes));
        compare("RSA-2048 decrypt (PKCS#1 v1.5 key)",
                () -> decrypt(Cipher.getInstance("RSA/ECB/PKCS1Padding", "SunJCE"), recipient, wrapped),
                () -> decrypt(Cipher.getInstance("RSA/ECB/PKCS1Padding", accp), nativeRecipient, wrapped));
        compare("  the same, a JDK key given to ACCP",
                () -> decrypt(Cipher.getInstance("RSA/ECB/PKCS1Padding", "SunJCE"), recipient, wrapped),
                () -> decrypt(Cipher.getInstance("RSA/ECB/PKCS1Padding", accp), recipient, wrapped));
        compare("RSA-2048 verify",
                () -> verify(Signature.getInstance("SHA256withRSA", "SunRsaSign"), sender, attributes, signature),
                () -> verify(Signature.getInstance("SHA256withRSA", accp), sender, attributes, signature));
        compare("SHA-256, 1 MB",
                () -> MessageDigest.getInstance("SHA-256", "SUN").digest(megabyte),
                () -> MessageDigest.getInstance("SHA-256", accp).digest(megabyte));
        compare("AES-256-CBC encrypt, 1 MB",
                () -> aes(Cipher.getInstance("AES/CBC/PKCS5Padding", "SunJCE"), aesKey, iv, megabyte, cipherOut),
                () -> aes(Cipher.getInstance("AES/CBC/PKCS5Padding", accp), aesKey, iv, megabyte, cipherOut));

        byte[] message = message(10 * 1024);
        Unprotector unprotector = new Unprotector(new UnprotectOptions(false, 1 << 20,
                Path.of(System.getProperty("java.io.tmpdir"))));
        byte[] outer = protect(new Protector(ProtectOptions.DEFAULTS), message, sender, recipient);
        Protector jdkProtector = new Protector(ProtectOptions.DEFAULTS);
        Security.insertProviderAt(accp, 1);
        Protector accpProtector = new Protector(ProtectOptions.DEFAULTS); // its SecureRandom from ACCP too
        Security.removeProvider(accp.getName());
        compareWholeMessage("protect 10 KB (sign + encrypt)", accp,
                () -> protect(jdkProtector, message, sender, recipient),
                () -> protect(accpProtector, message, nativeSender, recipient));
        compareWholeMessage("unprotect 10 KB (decrypt + verify)", accp,
                () -> unprotect(unprotector, outer, recipient), () -> unprotect(unprotector, outer, nativeRecipient));
    }

    private static byte[] sign(Signature signature, PrivateKeyEntry key, byte[] data) throws Exception {
        signature.initSign(key.key());
        signature.update(data);
        return signature.sign();
    }

    private static void verify(Signature signature, PrivateKeyEntry key, byte[] data, byte[] sig) throws Exception {
        signature.initVerify(key.certificate().getPublicKey());
        signature.update(data);
        if (!signature.verify(sig)) {
            throw new IllegalStateException("signature does not verify");
        }
    }

    private static void decrypt(Cipher cipher, PrivateKeyEntry key, byte[] wrapped) throws Exception {
        cipher.init(Cipher.DECRYPT_MODE, key.key());
        if (cipher.doFinal(wrapped).length != 32) {
            throw new IllegalStateException("wrong key length");
        }
    }

    private static void aes(Cipher cipher, SecretKeySpec key, IvParameterSpec iv, byte[] in, byte[] out) throws Exception {
        cipher.init(Cipher.ENCRYPT_MODE, key, iv);
        cipher.doFinal(in, 0, in.length, out, 0);
    }

    private static byte[] protect(Protector protector, byte[] message, PrivateKeyEntry sender,
                                  PrivateKeyEntry recipient) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        protector.protectMessage(new ByteArrayInputStream(message), sender, List.of(recipient.certificate()), out);
        return out.toByteArray();
    }

    private static void unprotect(Unprotector unprotector, byte[] outer, PrivateKeyEntry recipient) throws Exception {
        try (var verified = (UnprotectResult.Verified) unprotector.unprotect(new ByteArrayInputStream(outer),
                outer.length, List.of(recipient))) {
            verified.message().writeTo(OutputStream.nullOutputStream());
        }
    }

    private static void compare(String operation, Work jdk, Work accp) throws Exception {
        double bestJdk = Double.MAX_VALUE;
        double bestAccp = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            bestJdk = Math.min(bestJdk, cpuMicros(jdk));
            bestAccp = Math.min(bestAccp, cpuMicros(accp));
        }
        System.out.printf("%-36s %10.1f %10.1f %6.2f%n", operation, bestJdk, bestAccp, bestJdk / bestAccp);
    }

    /** The same work with the JDK's providers, then with ACCP first (as NativeCrypto yes has it). */
    private static void compareWholeMessage(String operation, Provider accp, Work jdk, Work native_) throws Exception {
        compare(operation, jdk, () -> {
            Security.insertProviderAt(accp, 1);
            try {
                native_.run();
            } finally {
                Security.removeProvider(accp.getName());
            }
        });
    }

    /** Warms up for a fifth of the time, then CPU microseconds of this thread per run. */
    private static double cpuMicros(Work work) throws Exception {
        long warmUpEnd = System.nanoTime() + (long) (SECONDS * 2e8);
        for (int i = 0; i < 3 || System.nanoTime() < warmUpEnd; i++) {
            work.run();
        }
        long cpu = THREADS.getCurrentThreadCpuTime();
        long end = System.nanoTime() + (long) (SECONDS * 1e9);
        int iterations = 0;
        do {
            work.run();
            iterations++;
        } while (iterations < 3 || System.nanoTime() < end);
        return (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3 / iterations;
    }

    private static byte[] message(int size) {
        StringBuilder b = new StringBuilder("From: alice@hisp.example\r\nTo: bob@partner.example\r\n"
                + "Subject: bench\r\nMessage-ID: <b@hisp.example>\r\n\r\n");
        while (b.length() < size) {
            b.append("Lorem ipsum dolor sit amet, consectetur adipiscing elit, numbered ").append(b.length()).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
