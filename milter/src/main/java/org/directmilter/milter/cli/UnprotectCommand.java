package org.directmilter.milter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.Algorithms;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.smime.UnprotectResult.Failure;
import org.directmilter.crypto.smime.UnprotectResult.Verified;
import org.directmilter.crypto.smime.Unprotector;
import org.directmilter.milter.cli.OfflineExit.Stop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code direct-milter unprotect}: incoming processing of one message, offline; the exit code says why not. */
@Command(name = "unprotect",
        header = "Decrypt and verify a Direct message as the milter does for incoming mail.",
        description = {
            "Reads an S/MIME message from IN, decrypts it (EnvelopedData with AES-CBC, or AuthEnvelopedData "
                    + "with AES-GCM) with a private key of --to from the KeyStore, verifies every signature "
                    + "(detached multipart/signed or opaque signed-data) over the bytes exactly as received, and "
                    + "writes the inner message, unwrapped from message/rfc822, to OUT.",
            "",
            "On success it prints each signer (subject and SHA-256 fingerprint) and the algorithms on standard "
                    + "error. Whether the signer is trusted (anchors, revocation) is not judged here.",
            "",
            "Otherwise nothing is written to OUT: the reason is printed, and the exit code names its kind. "
                    + "MD5 and SHA-1 signatures, RSA keys under 2048 bits and RC2/DES/3DES are refused "
                    + "(3DES is accepted with AllowTripleDES yes)."
        },
        parameterListHeading = "%nOperands:%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  direct-milter unprotect -c direct-milter.conf --to bob@hisp.example.org \\",
            "      received.eml inner.eml",
            "  direct-milter unprotect --to bob@hisp.example.org < received.eml > inner.eml",
            "  echo $?"
        },
        modelTransformer = OfflineCommand.ExitCodes.class)
final class UnprotectCommand extends OfflineCommand {

    @Option(names = "--to", required = true, paramLabel = "ADDRESS",
            description = "The local recipient; its private keys (KeyStore: ADDRESS.p12, then DOMAIN.p12) are offered.")
    String to;

    @Override
    OfflineExit run(PrintWriter err) throws Stop, IOException {
        OfflineSetup setup = OfflineSetup.load(config, err);
        List<PrivateKeyEntry> keys = setup.keysFor(to);
        UnprotectResult result;
        try (InputStream in = files.openIn()) {
            // a file's length lets the engine parse the CMS as it decodes the base64, without a copy
            result = new Unprotector(setup.unprotectOptions()).unprotect(in, files.inLength(), keys);
        }
        if (result instanceof Failure failure) {
            OfflineExit exit = OfflineExit.of(failure);
            // the category is for the operator who runs this with the key, as it is in the audit line
            String category = failure instanceof UnprotectResult.NotVerified notVerified
                    ? " (" + notVerified.category().label() + ")" : "";
            throw new Stop(exit, "rejected: " + failure.getClass().getSimpleName() + ": " + failure.reason()
                    + category);
        }
        try (Verified verified = (Verified) result) {
            files.write(out -> {
                verified.message().writeTo(out);
                return null;
            });
            err.println("verified for " + to);
            for (X509Certificate signer : verified.signers()) {
                err.println("  signer:     " + OfflineSetup.describe(signer));
            }
            err.println("  algorithms: " + describe(verified.algorithms()));
        }
        return OfflineExit.OK;
    }

    private static String describe(Algorithms a) {
        List<String> parts = new ArrayList<>();
        parts.add(a.contentEncryption());
        parts.add(a.keyTransport());
        parts.addAll(a.digests());
        parts.addAll(a.signatures());
        parts.add(a.signatureForm().name().toLowerCase(Locale.ROOT));
        parts.add(a.wrapped() ? "wrapped as message/rfc822" : "not wrapped");
        return String.join(", ", parts);
    }
}
