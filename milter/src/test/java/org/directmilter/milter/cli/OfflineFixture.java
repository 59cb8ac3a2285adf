package org.directmilter.milter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.testpki.TestPki;

/**
 * A directory set up for {@code protect} and {@code unprotect}: a KeyStore with the sender's key
 * ({@code <address>.p12}) and the recipient's domain key ({@code <domain>.p12}), each with its password
 * file, the recipient's certificate and its CA in {@code bob.pem}, the CA as the incoming and outgoing
 * anchor of every domain ({@code anchors/}), and a configuration naming the KeyStore and the anchors.
 */
final class OfflineFixture {

    private OfflineFixture() {
    }

    /** Sets {@code dir} up and returns the configuration file. */
    static Path create(Path dir, String senderAddress, PrivateKeyEntry sender, String recipientDomain,
                       PrivateKeyEntry recipient, TestPki pki) throws IOException {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        TestPki.writePkcs12(keys.resolve(senderAddress + ".p12"), sender, "sender-pw");
        secret(keys.resolve(senderAddress + ".pass"), "sender-pw");
        TestPki.writePkcs12(keys.resolve(recipientDomain + ".p12"), recipient, "recipient-pw");
        secret(keys.resolve(recipientDomain + ".pass"), "recipient-pw");
        TestPki.writePem(dir.resolve("bob.pem"), recipient.certificate(), pki.caCertificate());
        for (String direction : new String[] {"incoming", "outgoing"}) {
            Path anchors = Files.createDirectories(dir.resolve("anchors/all-domains").resolve(direction));
            TestPki.writePem(anchors.resolve("ca.pem"), pki.caCertificate());
        }
        return configuration(dir, "KeyStore " + keys + "\n");
    }

    /**
     * A configuration file with {@code extra} lines, its temporary files under {@code dir}, the anchors of
     * {@code dir/anchors}, and no nameserver outside this host.
     */
    static Path configuration(Path dir, String extra) throws IOException {
        Path file = Files.createTempFile(dir, "direct-milter", ".conf");
        Files.writeString(file, "Socket inet:0@127.0.0.1\nTemporaryDirectory " + dir + "\nDomains hisp.example.org\n"
                + "AnchorDir " + dir.resolve("anchors") + "\nNameservers 127.0.0.1:9\n" + extra);
        return file;
    }

    static void secret(Path file, String text) throws IOException {
        Files.writeString(file, text + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
