package org.directmilter.milter.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.directmilter.milter.demo.DemoAuthority.Issued;
import org.directmilter.milter.demo.DemoLayout.Hisp;

/**
 * Makes the demo directory once: a test PKI for two Direct domains and a configuration that uses it.
 * Running it again reuses what is there, so keys, a Postfix pointed at the port, and messages
 * protected earlier keep working; nothing private is ever part of the source tree.
 */
public final class DemoSetup {

    private static final String PRIVATE_FILE = "rw-------";
    private static final String PUBLIC_FILE = "rw-r--r--";
    private static final String PRIVATE_DIRECTORY = "rwx------";

    private DemoSetup() {
    }

    /** What {@link #prepare} found or made. */
    public record Prepared(DemoLayout layout, boolean pkiCreated, boolean configCreated) {
    }

    /**
     * Creates whatever of the demo is missing under {@code directory}.
     *
     * @param port the TCP port on 127.0.0.1 a newly written configuration listens on; an existing
     *             configuration keeps its own
     */
    public static Prepared prepare(Path directory, int port) throws IOException, GeneralSecurityException {
        DemoLayout layout = new DemoLayout(directory);
        Files.createDirectories(layout.root());
        privateDirectory(layout.keys());
        privateDirectory(layout.temporary());
        boolean pki = !layout.pkiFiles().stream().allMatch(Files::isRegularFile);
        if (pki) {
            writePki(layout);
        }
        boolean config = !Files.exists(layout.config());
        if (config) {
            write(layout.config(), DemoConfig.text(layout, port), PUBLIC_FILE);
        }
        return new Prepared(layout, pki, config);
    }

    private static void writePki(DemoLayout layout) throws IOException, GeneralSecurityException {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        char[] password = HexFormat.of().formatHex(secret).toCharArray();
        write(layout.passwordFile(), new String(password) + "\n", PRIVATE_FILE);
        Map<String, X509Certificate> authorities = new LinkedHashMap<>();
        for (Hisp hisp : DemoLayout.HISPS) {
            DemoAuthority ca = DemoAuthority.create(hisp.domain());
            authorities.put(hisp.domain(), ca.certificate());
            Issued issued = ca.issue(hisp.identity());
            write(layout.keyFile(hisp.identity()), pkcs12(hisp.identity(), issued, password), PRIVATE_FILE);
            write(layout.certificateFile(hisp.identity()), pem(issued.certificate()), PUBLIC_FILE);
        }
        // One daemon plays both HISPs, so each domain trusts its partner's CA and its own, in both
        // directions: alice can write to bob, bob back to alice, and either within their own domain.
        for (Hisp local : DemoLayout.HISPS) {
            for (String direction : DemoLayout.DIRECTIONS) {
                for (Map.Entry<String, X509Certificate> ca : authorities.entrySet()) {
                    write(layout.anchorFile(local.domain(), direction, ca.getKey()), pem(ca.getValue()), PUBLIC_FILE);
                }
            }
        }
    }

    private static byte[] pkcs12(String alias, Issued issued, char[] password)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(alias, issued.key(), password,
                new Certificate[] {issued.certificate(), issued.issuer()});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.store(out, password);
        return out.toByteArray();
    }

    private static String pem(X509Certificate certificate) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    private static void write(Path file, String text, String permissions) throws IOException {
        write(file, text.getBytes(StandardCharsets.US_ASCII), permissions);
    }

    /**
     * Creates the file with its final permissions before a byte is written, so a private key is never
     * readable by others, not even for a moment; they are set again afterwards because the umask may
     * have taken some away from a public file.
     */
    private static void write(Path file, byte[] data, String permissions) throws IOException {
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString(permissions);
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(mode));
        Files.write(file, data);
        Files.setPosixFilePermissions(file, mode);
    }

    private static void privateDirectory(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString(PRIVATE_DIRECTORY));
    }
}
