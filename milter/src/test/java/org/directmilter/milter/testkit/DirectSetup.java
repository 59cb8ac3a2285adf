package org.directmilter.milter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.testpki.TestPki;

/**
 * A complete Direct deployment on disk, made at test time: two local domains with their keys and
 * anchors, and a partner HISP. hisp-a.example trusts the partner both ways; hisp-b.example encrypts to
 * the partner but trusts only a stranger CA for incoming mail, so a message to both domains must lose
 * its hisp-b recipient.
 */
public final class DirectSetup {

    public static final String LOCAL = "hisp-a.example";
    public static final String OTHER_LOCAL = "hisp-b.example";
    public static final String PARTNER = "partner.example";
    public static final String PASSWORD = "demo-password";

    public final Path root;
    public final Path keys;
    public final Path anchors;
    public final Path certificates;
    public final Path temporary;
    /** Where the notification command of {@link #configLines} leaves each MDN it is given, one file each. */
    public final Path notifications;
    /** The notification command: a script that keeps each MDN in {@link #notifications} until {@link #submitWith}. */
    public final Path submitCommand;
    /** The TrackingDatabase the daemon is given: an SQLite file here unless a test names another (PostgreSQL). */
    public String trackingDatabase;
    public final TestPki localCa;
    public final TestPki partnerCa;
    public final TestPki strangerCa;
    /** Local senders and recipients. */
    public final PrivateKeyEntry alice;
    public final PrivateKeyEntry dave;
    public final PrivateKeyEntry erin;
    /** The partner's users: bob is trusted by hisp-a; mallory's CA is trusted by nobody. */
    public final PrivateKeyEntry bob;
    public final PrivateKeyEntry mallory;

    private DirectSetup(Path root) throws IOException {
        this.root = root;
        keys = Files.createDirectories(root.resolve("keys"));
        anchors = Files.createDirectories(root.resolve("anchors"));
        certificates = Files.createDirectories(root.resolve("certs"));
        temporary = Files.createDirectories(root.resolve("tmp"));
        notifications = Files.createDirectories(root.resolve("notifications"));
        submitCommand = root.resolve("submit-notification");
        trackingDatabase = root.resolve("tracking.db").toString();
        submitWith("exec cat > \"$(mktemp " + notifications + "/mdn-XXXXXX)\"");
        Pki pki = Pki.SHARED;
        localCa = pki.localCa;
        partnerCa = pki.partnerCa;
        strangerCa = pki.strangerCa;
        alice = pki.alice;
        dave = pki.dave;
        erin = pki.erin;
        bob = pki.bob;
        mallory = pki.mallory;
        for (PrivateKeyEntry local : new PrivateKeyEntry[] {alice, dave, erin}) {
            writePkcs12(keys, address(local), local);
        }
        Files.writeString(keys.resolve("password"), PASSWORD + "\n");
        Files.setPosixFilePermissions(keys.resolve("password"), PosixFilePermissions.fromString("rw-------"));
        anchor(LOCAL, "outgoing", partnerCa);
        anchor(LOCAL, "incoming", partnerCa);
        anchor(OTHER_LOCAL, "outgoing", partnerCa);
        anchor(OTHER_LOCAL, "incoming", strangerCa);
    }

    public static DirectSetup create(Path root) {
        try {
            return new DirectSetup(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configuration lines that point the daemon at this deployment (no Socket, no Nameservers). */
    public String configLines() {
        return "Domains " + LOCAL + ", " + OTHER_LOCAL + "\n"
                + "KeyStore " + keys + "\n"
                + "AnchorDir " + anchors + "\n"
                + "CertificateDir " + certificates + "\n"
                + "TemporaryDirectory " + temporary + "\n"
                + "NotificationCommand " + submitCommand + "\n"
                + "TrackingDatabase " + trackingDatabase + "\n";
    }

    /**
     * Makes the notification command run {@code shellLine} from now on (a real MTA's sendmail, or a
     * failing command), the MDN on its standard input.
     */
    public void submitWith(String shellLine) {
        try {
            Files.writeString(submitCommand, "#!/bin/sh\n" + shellLine + "\n");
            Files.setPosixFilePermissions(submitCommand, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The MDNs the notification command kept so far, oldest first. */
    public List<String> submittedNotifications() {
        try (var files = Files.list(notifications)) {
            return files.sorted(java.util.Comparator.comparing(f -> f.toFile().lastModified()))
                    .map(f -> {
                        try {
                            return Files.readString(f);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes a partner's certificate in CertificateDir as {@code <address>.pem}. */
    public Path placeCertificate(PrivateKeyEntry entity) {
        return TestPki.writePem(certificates.resolve(address(entity) + ".pem"), entity.certificate());
    }

    public static String address(PrivateKeyEntry entity) {
        X509Certificate cert = entity.certificate();
        try {
            for (var san : cert.getSubjectAlternativeNames()) {
                if ((Integer) san.get(0) == 1) {
                    return (String) san.get(1);
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no rfc822Name in " + cert.getSubjectX500Principal());
    }

    /** Writes {@code entity} as {@code <name>.p12} (mode 0600) under the directory's shared password. */
    public static Path writePkcs12(Path directory, String name, PrivateKeyEntry entity) {
        return TestPki.writePkcs12(directory.resolve(name + ".p12"), entity, PASSWORD);
    }

    /** RSA key generation is the slow part, so one JVM makes the keys once and every setup writes them out. */
    private static final class Pki {
        static final Pki SHARED = new Pki();
        final TestPki localCa = TestPki.create("hisp-a/b CA");
        final TestPki partnerCa = TestPki.create("partner CA");
        final TestPki strangerCa = TestPki.create("stranger CA");
        final PrivateKeyEntry alice = localCa.rsaEntity("alice@" + LOCAL, 2048);
        final PrivateKeyEntry dave = localCa.rsaEntity("dave@" + LOCAL, 2048);
        final PrivateKeyEntry erin = localCa.rsaEntity("erin@" + OTHER_LOCAL, 2048);
        final PrivateKeyEntry bob = partnerCa.rsaEntity("bob@" + PARTNER, 2048);
        final PrivateKeyEntry mallory = strangerCa.rsaEntity("mallory@" + PARTNER, 2048);
    }

    private void anchor(String domain, String direction, TestPki ca) throws IOException {
        Path dir = Files.createDirectories(anchors.resolve(domain).resolve(direction));
        TestPki.writePem(dir.resolve(ca.caCertificate().getSubjectX500Principal().getName()
                .replaceAll("[^A-Za-z0-9]+", "_") + ".pem"), ca.caCertificate());
    }
}
