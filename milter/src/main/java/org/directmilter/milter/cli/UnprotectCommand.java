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
import org.directmilter.crypto.trust.TrustValidator;
import org.directmilter.crypto.trust.ValidationResult;
import org.directmilter.milter.cli.OfflineExit.Stop;
import org.directmilter.milter.policy.DirectPolicy;
import org.directmilter.milter.policy.SignerTrust;
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
            "The signer is then judged exactly as the milter judges it: by the incoming trust anchors (AnchorDir) "
                    + "of the domain of --to, bound to the inner From address, with revocation (CRLs as the "
                    + "configuration allows). Only a trusted message is written to OUT and exits 0; an untrusted "
                    + "one exits 8 (75 when its revocation status cannot be learnt now) and its plaintext is "
                    + "written only with --force.",
            "",
            "On success it prints each signer (subject and SHA-256 fingerprint), the trust verdict and the "
                    + "algorithms on standard error.",
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

    @Option(names = "--force",
            description = "Write the plaintext even when the signer is not trusted (the exit code still says so).")
    boolean force;

    @Override
    OfflineExit run(PrintWriter err) throws Stop, IOException {
        OfflineSetup setup = OfflineSetup.load(config, err);
        List<PrivateKeyEntry> keys = setup.keysFor(to);
        DirectPolicy policy = setup.policy(err);
        UnprotectResult result;
        try (InputStream in = files.openIn()) {
            // a file's length lets the engine parse the CMS as it decodes the base64, without a copy
            result = policy.unprotector().unprotect(in, files.inLength(), keys);
        }
        if (result instanceof Failure failure) {
            throw rejected(failure);
        }
        try (Verified verified = (Verified) result) {
            ValidationResult trust = judge(policy, verified);
            OfflineExit exit = trust.usable() ? OfflineExit.OK
                    : trust.temporary() ? OfflineExit.TEMPFAIL : OfflineExit.UNTRUSTED;
            if (exit != OfflineExit.OK && !force) {
                throw new Stop(exit, "not trusted: " + trust.explanation() + " (nothing written; --force writes it)");
            }
            files.write(out -> {
                verified.message().writeTo(out);
                return null;
            });
            err.println((exit == OfflineExit.OK ? "verified for " : "verified, but NOT TRUSTED, for ") + to
                    + (exit == OfflineExit.OK ? "" : " (written because of --force)"));
            for (X509Certificate signer : verified.signers()) {
                err.println("  signer:     " + OfflineSetup.describe(signer));
            }
            err.println("  trust:      " + (trust.usable() ? "" : "NOT trusted: ") + trust.explanation());
            err.println("  algorithms: " + describe(verified.algorithms()));
            return exit;
        }
    }

    /** The daemon's verdict on the signers for the domain of --to: its incoming anchors, the inner From. */
    private ValidationResult judge(DirectPolicy policy, Verified verified) throws Stop {
        List<String> from;
        try {
            from = SignerTrust.addresses(verified.message().head().fields(), "From");
        } catch (IOException e) {
            throw rejected(new UnprotectResult.NotVerified(UnprotectResult.Category.INNER_MIME));
        }
        if (from.isEmpty()) {
            throw new Stop(OfflineExit.MALFORMED_MIME, "rejected: the protected message has no From address");
        }
        String domain = to.substring(to.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        TrustValidator validator = policy.validator();
        return SignerTrust.judge(validator, verified, from.get(0), domain, validator.newBudget());
    }

    private static Stop rejected(Failure failure) {
        // the category is for the operator who runs this with the key, as it is in the audit line
        String category = failure instanceof UnprotectResult.NotVerified notVerified
                ? " (" + notVerified.category().label() + ")" : "";
        return new Stop(OfflineExit.of(failure), "rejected: " + failure.getClass().getSimpleName() + ": "
                + failure.reason() + category);
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
