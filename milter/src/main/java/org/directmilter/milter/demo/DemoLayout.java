package org.directmilter.milter.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Who the demo has and where its files live under its directory (absolute, because the configuration
 * file accepts only absolute paths).
 *
 * <pre>
 * direct-milter.conf
 * keys/password, keys/hisp-a.example.p12, keys/bob@hisp-b.example.p12     (0700 / 0600)
 * certs/hisp-a.example.pem, certs/bob@hisp-b.example.pem                  (CertificateDir)
 * anchors/&lt;domain&gt;/{incoming,outgoing}/&lt;ca-domain&gt;-ca.pem                (AnchorDir)
 * tmp/                                                                   (TemporaryDirectory)
 * </pre>
 */
public record DemoLayout(Path root) {

    public static final String SENDER = "alice@hisp-a.example";
    public static final String RECIPIENT = "bob@hisp-b.example";

    /**
     * The two demo HISPs and the identity each holds a key for: hisp-a.example signs for all its users
     * with a domain-bound certificate, bob at hisp-b.example has an address-bound one, so the demo shows
     * both bindings (and both kinds of CertificateDir file).
     */
    static final List<Hisp> HISPS = List.of(new Hisp("hisp-a.example", "hisp-a.example"),
            new Hisp("hisp-b.example", RECIPIENT));

    static final List<String> DIRECTIONS = List.of("incoming", "outgoing");

    record Hisp(String domain, String identity) {
    }

    public DemoLayout {
        root = root.toAbsolutePath().normalize();
    }

    public Path config() {
        return root.resolve("direct-milter.conf");
    }

    Path keys() {
        return root.resolve("keys");
    }

    Path anchors() {
        return root.resolve("anchors");
    }

    Path certificates() {
        return root.resolve("certs");
    }

    Path temporary() {
        return root.resolve("tmp");
    }

    /** The password of every key file: the key store's directory-wide {@code password} file. */
    public Path passwordFile() {
        return keys().resolve("password");
    }

    public Path keyFile(String identity) {
        return keys().resolve(identity + ".p12");
    }

    public Path certificateFile(String identity) {
        return certificates().resolve(identity + ".pem");
    }

    public Path anchorFile(String localDomain, String direction, String caDomain) {
        return anchors().resolve(localDomain).resolve(direction).resolve(caDomain + "-ca.pem");
    }

    /** Where the printed probe command writes the message as sent: signed and encrypted. */
    public Path sentMessage() {
        return root.resolve("out.eml");
    }

    /** Where the second printed probe writes that message as received: decrypted and verified. */
    public Path receivedMessage() {
        return root.resolve("in.eml");
    }

    /** The anchor the recipient's domain trusts, for incoming mail, to verify the sender's signature. */
    public Path signerAnchor() {
        return anchorFile(domain(RECIPIENT), "incoming", domain(SENDER));
    }

    private static String domain(String address) {
        return address.substring(address.indexOf('@') + 1);
    }

    /** Every file of the test PKI: all present means it is reused, any missing means it is made anew. */
    List<Path> pkiFiles() {
        List<Path> files = new ArrayList<>();
        files.add(passwordFile());
        for (Hisp hisp : HISPS) {
            files.add(keyFile(hisp.identity()));
            files.add(certificateFile(hisp.identity()));
            for (String direction : DIRECTIONS) {
                for (Hisp ca : HISPS) {
                    files.add(anchorFile(hisp.domain(), direction, ca.domain()));
                }
            }
        }
        return files;
    }
}
