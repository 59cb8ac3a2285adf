package org.directmilter.milter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.ProtectException;
import org.directmilter.crypto.smime.Protected;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.crypto.trust.Certificates;
import org.directmilter.milter.cli.OfflineExit.Stop;
import org.directmilter.resolver.DirectAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code direct-milter protect}: outgoing processing of one message, offline, with the daemon's engine. */
@Command(name = "protect",
        header = "Sign and encrypt a message as the milter does for outgoing Direct mail.",
        description = {
            "Reads an RFC 5322 message from IN, wraps it whole as message/rfc822, signs it with the private key "
                    + "of --from from the KeyStore (detached multipart/signed, SHA-256, signer chain included), "
                    + "encrypts it to every certificate of every --cert file (one RecipientInfo each) and writes "
                    + "the outer application/pkcs7-mime message, with only the routing header fields, to OUT.",
            "",
            "ContentCipher and KeyTransport of the configuration choose the algorithms (default AES-256-CBC "
                    + "and RSA PKCS#1 v1.5, which every Direct implementation reads). Recipient certificates come "
                    + "from --cert, not from DNS, and are not judged against trust anchors: use 'lookup' for that. "
                    + "CA certificates in a --cert file are skipped.",
            "",
            "Prints the signer, the recipient certificates and the algorithms on standard error."
        },
        parameterListHeading = "%nOperands:%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  direct-milter protect -c direct-milter.conf --from alice@hisp.example.org \\",
            "      --to bob@partner.example --cert bob.pem message.eml protected.eml",
            "  direct-milter protect --from alice@hisp.example.org --to bob@partner.example \\",
            "      --to carol@partner.example --cert partner.pem < message.eml > protected.eml"
        },
        modelTransformer = OfflineCommand.ExitCodes.class)
final class ProtectCommand extends OfflineCommand {

    @Option(names = "--from", required = true, paramLabel = "ADDRESS",
            description = "The local sender; its private key (KeyStore: ADDRESS.p12, else DOMAIN.p12) signs.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "ADDRESS",
            description = "A recipient of the message; repeat for more.")
    List<String> to;

    @Option(names = "--cert", required = true, paramLabel = "FILE",
            description = "Recipient certificates: PEM (several allowed), DER or PKCS#7 (.p7b); repeat for more.")
    List<Path> certificates;

    @Override
    OfflineExit run(PrintWriter err) throws Stop, IOException {
        OfflineSetup setup = OfflineSetup.load(config, err);
        for (String recipient : to) {
            try {
                DirectAddress.parse(recipient);
            } catch (IllegalArgumentException e) {
                throw new Stop(OfflineExit.USAGE, "--to " + recipient + ": " + e.getMessage());
            }
        }
        PrivateKeyEntry signer = setup.keysFor(from).get(0);
        List<X509Certificate> recipients = recipientCertificates(err);
        Protector protector = new Protector(setup.protectOptions());
        Protected result;
        try (InputStream in = files.openIn()) {
            result = files.write(out -> {
                try {
                    return protector.protectMessage(in, signer, recipients, out);
                } catch (ProtectException e) {
                    throw new Stop(OfflineExit.DATA, e.getMessage());
                }
            });
        }
        err.println("protected for " + String.join(", ", to));
        err.println("  signer:     " + OfflineSetup.describe(signer.certificate()));
        for (X509Certificate recipient : recipients) {
            err.println("  encrypted:  " + OfflineSetup.describe(recipient));
        }
        err.println("  algorithms: " + result.contentCipher() + ", " + result.keyTransport() + ", "
                + result.signatureAlgorithm() + ", detached, wrapped as message/rfc822");
        return OfflineExit.OK;
    }

    /** The end-entity certificates of every --cert file, in order. */
    private List<X509Certificate> recipientCertificates(PrintWriter err) throws Stop {
        List<X509Certificate> all = new ArrayList<>();
        for (Path file : certificates) {
            List<X509Certificate> parsed;
            try {
                parsed = Certificates.parse(Files.readAllBytes(file));
            } catch (NoSuchFileException e) {
                throw new Stop(OfflineExit.NO_INPUT, file + ": no such file");
            } catch (IOException e) {
                throw new Stop(OfflineExit.NO_INPUT, file + ": cannot be read: " + e.getMessage());
            } catch (CertificateException e) {
                throw new Stop(OfflineExit.DATA, file + ": " + e.getMessage());
            }
            int before = all.size();
            for (X509Certificate cert : parsed) {
                if (Certificates.isCa(cert)) {
                    err.println("skipping CA certificate " + cert.getSubjectX500Principal().getName() + " in " + file);
                } else {
                    all.add(cert);
                }
            }
            if (all.size() == before) {
                throw new Stop(OfflineExit.DATA, file + ": holds only CA certificates, nothing to encrypt to");
            }
        }
        return all;
    }
}
