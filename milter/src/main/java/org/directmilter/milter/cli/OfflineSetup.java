package org.directmilter.milter.cli;

import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.Pkcs11KeyStore;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.keys.PrivateKeyStore;
import org.directmilter.crypto.trust.AnchorSet;
import org.directmilter.crypto.trust.AnchorSource;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.crypto.trust.Certificates;
import org.directmilter.crypto.trust.bundle.TrustBundles;
import org.directmilter.milter.cli.OfflineExit.Stop;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.Assembly;
import org.directmilter.milter.policy.DirectPolicy;
import org.directmilter.resolver.DirectAddress;

/**
 * What {@code protect} and {@code unprotect} take from the configuration, read the way the daemon reads
 * it: the private keys (KeyStore), the S/MIME settings, and the daemon's own policy — the same
 * {@link Assembly} builds the validator (anchors, binding, revocation) and the discovery they judge with.
 */
final class OfflineSetup {

    private final MilterConfig config;
    private final PrivateKeyStore keys;
    private final Optional<Pkcs11KeyStore> token;

    private OfflineSetup(MilterConfig config, Optional<Pkcs11KeyStore> token) {
        this.config = config;
        this.token = token;
        this.keys = Assembly.keyStore(config, token);
    }

    /**
     * The configuration of {@code -c FILE}; its errors are printed (FILE:LINE: reason) before the stop.
     * A PKCS#11 token it names is opened as the daemon opens it.
     */
    static OfflineSetup load(ConfigFileOption option, PrintWriter err) throws Stop {
        MilterConfig config = option.loadOrReport(err).orElseThrow(() ->
                new Stop(OfflineExit.CONFIG, option.file + ": the configuration has errors"));
        try {
            return new OfflineSetup(config, Assembly.openToken(config));
        } catch (KeyStoreException | Pkcs11KeyStore.WrongPinException e) {
            throw new Stop(OfflineExit.CONFIG, e.getMessage());
        }
    }

    /** The keys that act for {@code address}: its own first, then its domain's; never empty. */
    List<PrivateKeyEntry> keysFor(String address) throws Stop {
        try {
            DirectAddress.parse(address);
            List<PrivateKeyEntry> found = keys.keysFor(address);
            if (found.isEmpty()) {
                String domain = address.substring(address.indexOf('@') + 1);
                throw new Stop(OfflineExit.NO_USER, "no private key for " + address + " in KeyStore "
                        + config.get(ConfigKeys.KEY_STORE) + " (neither " + address + ".p12 nor " + domain + ".p12)"
                        + config.get(ConfigKeys.PKCS11_LIBRARY).map(l -> " nor in the PKCS#11 token").orElse(""));
            }
            return found;
        } catch (IllegalArgumentException e) {
            throw new Stop(OfflineExit.USAGE, e.getMessage());
        } catch (KeyStoreException e) {
            throw new Stop(OfflineExit.CONFIG, "KeyStore: " + e.getMessage());
        }
    }

    /**
     * The policy the daemon would judge with now: the anchors of AnchorDir read once and the trust bundles
     * as persisted (problems printed to {@code err}, as the daemon logs them), a fresh discovery without a
     * cache of earlier runs.
     */
    DirectPolicy policy(PrintWriter err) throws Stop {
        AnchorSet anchors = AnchorStore.read(config.get(ConfigKeys.ANCHOR_DIR));
        anchors.problems().forEach(p -> err.println("anchor skipped: " + p));
        // the trust bundles' persisted copies, as the daemon starts with them; nothing is fetched here
        TrustBundles bundles = BundleSetup.load(config, err).orElseThrow(() ->
                new Stop(OfflineExit.CONFIG, "the trust bundles have errors"));
        bundles.readPersisted().forEach(err::println);
        // AnchorDir first, as in the daemon
        return Assembly.policy(config, AnchorSource.both(anchors, bundles), Optional.empty(), token);
    }

    /** One line naming a certificate the way operators compare them: subject and SHA-256 fingerprint. */
    static String describe(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName() + " (sha-256 " + Certificates.sha256(certificate) + ")";
    }
}
