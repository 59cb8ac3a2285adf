package org.directmilter.milter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.testpki.Openssl;
import org.directmilter.crypto.testpki.TestPki;

/**
 * The other side of a Direct exchange, played by the real {@code openssl cms}: a foreign HISP that
 * wraps, signs and encrypts the mail it sends us, and opens and verifies the mail we send it. Keys and
 * certificates of a {@link DirectSetup} are written as PEM files once; each call works in its own files.
 */
public final class PartnerHisp {

    private final Path dir;
    private int serial;

    private PartnerHisp(Path dir) {
        this.dir = dir;
    }

    public static PartnerHisp in(Path dir, DirectSetup setup) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (PrivateKeyEntry entity : List.of(setup.alice, setup.dave, setup.erin, setup.bob, setup.mallory)) {
            String name = DirectSetup.address(entity);
            TestPki.writePem(dir.resolve(name + ".cert.pem"), entity.certificate());
            TestPki.writePem(dir.resolve(name + ".key.pem"), entity.key());
        }
        return new PartnerHisp(dir);
    }

    /**
     * What a foreign HISP sends: {@code message} wrapped as message/rfc822, signed by {@code signer}
     * (detached, with its certificate), encrypted (AES-256-CBC) to every recipient, under the outer
     * {@code routingHeaders} (LF line ends, each ending in LF).
     */
    public String protect(String message, PrivateKeyEntry signer, List<PrivateKeyEntry> recipients, String routingHeaders) {
        String n = next();
        write(n + ".wrapped", "Content-Type: message/rfc822\n\n" + message);
        String signerName = DirectSetup.address(signer);
        Openssl.ok(dir, "cms", "-sign", "-in", n + ".wrapped", "-signer", signerName + ".cert.pem",
                "-inkey", signerName + ".key.pem", "-md", "sha256", "-out", n + ".signed");
        List<String> encrypt = new ArrayList<>(List.of("cms", "-encrypt", "-in", n + ".signed", "-aes-256-cbc",
                "-out", n + ".enveloped"));
        recipients.forEach(r -> encrypt.addAll(List.of("-recip", DirectSetup.address(r) + ".cert.pem")));
        Openssl.ok(dir, encrypt.toArray(String[]::new));
        return routingHeaders + read(n + ".enveloped");
    }

    /**
     * {@code protectedMessage} with one bit of the middle ciphertext byte flipped: the body of an
     * {@link #protect} result whose inner message is long enough that the middle of the CMS structure
     * lies in the encrypted inner message (openssl encrypts without streaming: one definite-length
     * ciphertext at the end).
     */
    public static String tamper(String protectedMessage) {
        int bodyStart = protectedMessage.indexOf("\n\n") + 2;
        byte[] der = Base64.getMimeDecoder().decode(protectedMessage.substring(bodyStart));
        der[der.length / 2] ^= 0x01;
        return protectedMessage.substring(0, bodyStart)
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der) + "\n";
    }

    /**
     * What the recipient HISP does with a message we sent: {@code openssl cms -decrypt} with the
     * recipient's key, then {@code -verify} against {@code anchor} only. Returns the signed content
     * (the wrapped message) with LF line ends; fails with openssl's words if either step fails.
     */
    public String open(String outerMessage, PrivateKeyEntry recipient, TestPki anchor) {
        String n = next();
        write(n + ".received", outerMessage);
        TestPki.writePem(dir.resolve(n + ".anchor.pem"), anchor.caCertificate());
        String name = DirectSetup.address(recipient);
        Openssl.ok(dir, "cms", "-decrypt", "-in", n + ".received", "-recip", name + ".cert.pem",
                "-inkey", name + ".key.pem", "-out", n + ".decrypted");
        Openssl.ok(dir, "cms", "-verify", "-in", n + ".decrypted", "-CAfile", n + ".anchor.pem",
                "-purpose", "smimesign", "-out", n + ".content");
        return read(n + ".content").replace("\r\n", "\n");
    }

    private String next() {
        return "m" + (++serial);
    }

    private void write(String file, String text) {
        try {
            Files.writeString(dir.resolve(file), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String read(String file) {
        try {
            return Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
