package org.directmilter.milter.cli;

import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.util.List;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.Pkcs12DirectoryKeyStore;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.UnprotectOptions;
import org.directmilter.crypto.trust.Certificates;
import org.directmilter.milter.cli.OfflineExit.Stop;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.Assembly;
import org.directmilter.resolver.DirectAddress;

/**
 * What {@code protect} and {@code unprotect} take from the configuration, read the way the daemon reads
 * it: the private keys (KeyStore) and the S/MIME settings.
 */
final class OfflineSetup {

    private final MilterConfig config;
    private final Pkcs12DirectoryKeyStore keys;

    private OfflineSetup(MilterConfig config) {
        this.config = config;
        this.keys = new Pkcs12DirectoryKeyStore(config.get(ConfigKeys.KEY_STORE));
    }

    /** The configuration of {@code -c FILE}; its errors are printed (FILE:LINE: reason) before the stop. */
    static OfflineSetup load(ConfigFileOption option, PrintWriter err) throws Stop {
        MilterConfig config = option.loadOrReport(err).orElseThrow(() ->
                new Stop(OfflineExit.CONFIG, option.file + ": the configuration has errors"));
        return new OfflineSetup(config);
    }

    /** The keys that act for {@code address}: its own first, then its domain's; never empty. */
    List<PrivateKeyEntry> keysFor(String address) throws Stop {
        try {
            DirectAddress.parse(address);
            List<PrivateKeyEntry> found = keys.keysFor(address);
            if (found.isEmpty()) {
                String domain = address.substring(address.indexOf('@') + 1);
                throw new Stop(OfflineExit.NO_USER, "no private key for " + address + " in KeyStore "
                        + keys.directory() + " (neither " + address + ".p12 nor " + domain + ".p12)");
            }
            return found;
        } catch (IllegalArgumentException e) {
            throw new Stop(OfflineExit.USAGE, e.getMessage());
        } catch (KeyStoreException e) {
            throw new Stop(OfflineExit.CONFIG, "KeyStore: " + e.getMessage());
        }
    }

    ProtectOptions protectOptions() {
        return Assembly.protectOptions(config);
    }

    UnprotectOptions unprotectOptions() {
        return Assembly.unprotectOptions(config);
    }

    /** One line naming a certificate the way operators compare them: subject and SHA-256 fingerprint. */
    static String describe(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName() + " (sha-256 " + Certificates.sha256(certificate) + ")";
    }
}
