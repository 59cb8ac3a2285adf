package org.directmilter.crypto.testpki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.directmilter.crypto.keys.PrivateKeyEntry;

/**
 * Throwaway SoftHSM2 tokens for tests. SoftHSM reads its configuration, named by the environment
 * variable SOFTHSM2_CONF, once per process: the poms set it for the test JVMs to a file under target/,
 * which this class writes on first use (its token directory beside it). Each test class then takes a
 * token of its own, with its own label and slot, and imports keys into it.
 */
public final class SoftHsm {

    public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    public static final String USER_PIN = "1234";
    private static final String SO_PIN = "12345678";
    private static final AtomicInteger TOKENS = new AtomicInteger();
    /** Tokens made per JVM (each test class that opens one takes one or two). */
    private static final int POOL = 12;
    private static final List<Token> pool = new ArrayList<>();
    private static boolean made;
    private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");

    /** An initialised token: its label and the slot id SoftHSM gave it. */
    public record Token(String label, long slot) {
    }

    private SoftHsm() {
    }

    /**
     * A fresh, empty token whose user PIN is {@link #USER_PIN}. SoftHSM finds its tokens when the library
     * is initialised, once per process, and a token made later is not seen: so the first call makes
     * {@link #POOL} tokens, before any test loads the library, and each call hands out the next.
     */
    public static synchronized Token newToken() {
        if (pool.isEmpty()) {
            if (made) {
                throw new IllegalStateException("all " + POOL + " SoftHSM tokens of this JVM are used; raise POOL");
            }
            configure();
            made = true;
            for (int i = 0; i < POOL; i++) {
                String label = "test-" + ProcessHandle.current().pid() + "-" + i;
                String out = run(List.of("softhsm2-util", "--init-token", "--free", "--label", label,
                        "--so-pin", SO_PIN, "--pin", USER_PIN));
                Matcher m = SLOT.matcher(out);
                if (!m.find()) {
                    throw new IllegalStateException("softhsm2-util did not say which slot: " + out);
                }
                pool.add(new Token(label, Long.parseLong(m.group(1))));
            }
        }
        return pool.remove(0);
    }

    /**
     * Imports {@code entry}'s key and chain under {@code label}, through SunPKCS11 in this JVM (as
     * {@code keytool -importkeystore} would): SoftHSM does not see objects that another process, such as
     * {@code pkcs11-tool}, adds to a token after this process loaded the library.
     */
    public static void importKey(Token token, String label, PrivateKeyEntry entry) {
        try {
            Provider provider = Security.getProvider("SunPKCS11").configure("--name = import\nlibrary = "
                    + LIBRARY + "\nslot = " + token.slot() + "\n");
            KeyStore store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, USER_PIN.toCharArray());
            store.setKeyEntry(label, entry.key(), null, entry.chain().toArray(Certificate[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PIN file of mode 0600 holding {@code pin}. */
    public static Path pinFile(Path dir, String pin) {
        try {
            Path file = Files.writeString(dir.resolve("pin-" + TOKENS.incrementAndGet()), pin + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the configuration SOFTHSM2_CONF names, with an empty token directory: the tokens of an earlier
     * run would otherwise pile up (the test JVMs of one module run one after another).
     */
    private static void configure() {
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null || conf.isBlank()) {
            throw new IllegalStateException("SOFTHSM2_CONF is not set for this JVM; the poms set it for tests");
        }
        Path file = Path.of(conf).toAbsolutePath();
        Path tokens = file.getParent().resolve("softhsm-tokens");
        try {
            if (Files.isDirectory(tokens)) {
                try (Stream<Path> old = Files.walk(tokens)) {
                    for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(tokens);
            Files.writeString(file, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n"
                    + "log.level = ERROR\nslots.removable = false\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
