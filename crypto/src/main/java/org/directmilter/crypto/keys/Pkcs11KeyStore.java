package org.directmilter.crypto.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.security.auth.login.FailedLoginException;
import org.directmilter.crypto.text.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Private keys in a PKCS#11 token (a hardware security module; SoftHSM for trying), through the JDK's
 * SunPKCS11 provider configured in memory from {@link Settings}. Signing and key unwrapping happen in the
 * token: the keys handed out are handles ({@code getEncoded()} is null), and {@link KeySource#provider()}
 * names the token's provider, which the S/MIME code uses for exactly those operations.
 *
 * <p>A key is found for a name (an address or a domain) by its label (CKA_LABEL, the alias SunPKCS11
 * shows) or by its certificate: an rfc822Name for an address; for a domain, a dNSName of a certificate
 * that names no address. The key and its certificate must share a CKA_ID to form one entry.
 *
 * <p>The token is logged in once, when the store is opened: a wrong PIN is refused then and never tried
 * again (a module locks its user PIN after a few wrong tries). The list of keys is read again at most
 * every {@link #REFRESH}, so keys imported later appear, and a token that was removed and came back is
 * used again; while the token cannot be read, lookups fail with {@link KeyStoreException} (the daemon
 * tempfails). SunPKCS11 keeps a pool of sessions: concurrent messages each take their own session, up to
 * the token's limit.
 */
public final class Pkcs11KeyStore implements PrivateKeyStore {

    private static final Logger log = LoggerFactory.getLogger(Pkcs11KeyStore.class);

    /** How long a read list of keys is used before the token is asked again. */
    static final Duration REFRESH = Duration.ofSeconds(60);

    /**
     * What configures the token.
     *
     * @param library the module's shared library (e.g. /usr/lib/softhsm/libsofthsm2.so)
     * @param slot the slot id as the module numbers it; -1: the first slot the module lists
     * @param pinFile the file whose first line is the user PIN; the permission rule of key password files
     */
    public record Settings(Path library, long slot, Path pinFile) {
        /** How log lines and {@code check} name the token. */
        public String describe() {
            return "PKCS#11 token " + (slot < 0 ? "in the first slot" : "in slot " + slot) + " of " + library;
        }

        /** SunPKCS11's configuration, given inline (a leading "--"): no file to write or leave behind. */
        String providerConfig() {
            return "--name = DirectMilter\n"
                    + "library = " + library.toAbsolutePath() + "\n"
                    + (slot < 0 ? "slotListIndex = 0\n" : "slot = " + slot + "\n");
        }
    }

    /** Why a token cannot be opened: the wrong PIN is told apart because it must not be retried. */
    public static final class WrongPinException extends Exception {
        private static final long serialVersionUID = 1L;

        WrongPinException(String message) {
            super(message);
        }
    }

    private final Settings settings;
    private final Provider provider;
    private final KeyStore store;
    private final char[] pin;
    private final Clock clock;
    private final Object refreshing = new Object();
    private volatile Index index;
    /** Whether the last read of the token failed (guarded by {@code refreshing}). */
    private boolean failing;

    private Pkcs11KeyStore(Settings settings, Provider provider, KeyStore store, char[] pin, Clock clock,
                           Index index) {
        this.settings = settings;
        this.provider = provider;
        this.store = store;
        this.pin = pin;
        this.clock = clock;
        this.index = index;
    }

    /**
     * Loads the module, logs in with the PIN and reads the keys.
     *
     * @throws WrongPinException when the token refuses the PIN (the daemon refuses to start)
     * @throws KeyStoreException when the module, the slot, the token or the PIN file cannot be used
     */
    public static Pkcs11KeyStore open(Settings settings) throws KeyStoreException, WrongPinException {
        return open(settings, PrivateFiles.groupsFor(settings.pinFile().toAbsolutePath().getParent()),
                Clock.systemUTC());
    }

    static Pkcs11KeyStore open(Settings settings, Set<Long> daemonGroups, Clock clock)
            throws KeyStoreException, WrongPinException {
        String token = settings.describe();
        if (!Files.isRegularFile(settings.library())) {
            throw new KeyStoreException(token, "the module's library " + settings.library() + " does not exist", null);
        }
        char[] pin = new PrivateFiles(daemonGroups).firstLine(settings.pinFile());
        Provider provider;
        try {
            provider = Security.getProvider("SunPKCS11").configure(settings.providerConfig());
        } catch (ProviderException | IllegalArgumentException | UnsupportedOperationException e) {
            Arrays.fill(pin, '\0');
            throw new KeyStoreException(token, "the module cannot be loaded or initialised: " + causes(e), e);
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, pin);
            Pkcs11KeyStore opened = new Pkcs11KeyStore(settings, provider, store, pin, clock, null);
            opened.index = opened.read();
            return opened;
        } catch (IOException e) {
            Arrays.fill(pin, '\0');
            if (hasCause(e, FailedLoginException.class) || causes(e).contains("CKR_PIN_INCORRECT")) {
                throw new WrongPinException(token + ": the token refused the PIN in " + settings.pinFile()
                        + " (not retried: a module locks its PIN after a few wrong tries)");
            }
            throw new KeyStoreException(token, "cannot log in: " + causes(e), e);
        } catch (GeneralSecurityException | ProviderException e) {
            Arrays.fill(pin, '\0');
            throw new KeyStoreException(token, "cannot be opened: " + causes(e), e);
        }
    }

    /** The token's provider: private-key operations with this store's keys must use it. */
    public Provider provider() {
        return provider;
    }

    public Settings settings() {
        return settings;
    }

    /** Every key in the token that has a certificate, as read last. */
    public List<PrivateKeyEntry> allKeys() throws KeyStoreException {
        return current().entries();
    }

    /** The addresses and domains {@code entry} is found under: its label, and its certificate's names. */
    public static List<String> namesOf(PrivateKeyEntry entry) {
        List<String> names = new ArrayList<>();
        if (entry.source() instanceof KeySource.Pkcs11Token token) {
            names.add(token.label().toLowerCase(Locale.ROOT));
        }
        Names bound = Names.of(entry.certificate());
        for (String name : bound.addresses().isEmpty() ? bound.domains() : bound.addresses()) {
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    @Override
    public List<PrivateKeyEntry> keysNamed(String name) throws KeyStoreException {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        List<PrivateKeyEntry> keys = new ArrayList<>();
        for (PrivateKeyEntry entry : current().entries()) {
            if (namesOf(entry).contains(wanted)) {
                keys.add(entry);
            }
        }
        return Collections.unmodifiableList(keys);
    }

    private Index current() throws KeyStoreException {
        Index known = index;
        if (known.readAt().plus(REFRESH).isAfter(clock.instant())) {
            return known;
        }
        synchronized (refreshing) {
            known = index;
            if (known.readAt().plus(REFRESH).isAfter(clock.instant())) {
                return known;
            }
            try {
                // logs in again if the token was removed and came back (a no-op while it stays logged in)
                store.load(null, pin);
                index = read();
                if (failing) {
                    failing = false;
                    log.info("key store: {}: readable again, {} key(s)", LogSafe.escape(settings.describe()),
                            index.entries().size());
                }
                return index;
            } catch (IOException | GeneralSecurityException | ProviderException e) {
                // every lookup tries again while the token is gone; the ERROR line is written once per outage
                if (!failing) {
                    failing = true;
                    log.error("key store: {}: cannot be read: {}", LogSafe.escape(settings.describe()),
                            LogSafe.escape(causes(e)));
                }
                throw new KeyStoreException(settings.describe(), "cannot be read: " + causes(e), e);
            }
        }
    }

    private Index read() throws GeneralSecurityException {
        List<PrivateKeyEntry> entries = new ArrayList<>();
        String token = settings.describe();
        for (String alias : Collections.list(store.aliases())) {
            if (!store.isKeyEntry(alias)) {
                continue;
            }
            Certificate[] chain = store.getCertificateChain(alias);
            if (!(store.getKey(alias, null) instanceof PrivateKey key) || chain == null || chain.length == 0) {
                log.warn("key store: {}: key \"{}\" has no certificate with the same CKA_ID; not used",
                        LogSafe.escape(token), LogSafe.escape(alias));
                continue;
            }
            if (key.getEncoded() != null) {
                // still used (refusing it would stop mail), but the point of the token is lost: say so
                log.warn("key store: {}: key \"{}\" is not sensitive (CKA_SENSITIVE false): its private key can "
                        + "be read out of the token; import it again with pkcs11-tool --sensitive",
                        LogSafe.escape(token), LogSafe.escape(alias));
            }
            List<X509Certificate> certs = new ArrayList<>();
            for (Certificate c : chain) {
                certs.add((X509Certificate) c);
            }
            entries.add(new PrivateKeyEntry(key, certs, new KeySource.Pkcs11Token(token, alias, provider)));
        }
        return new Index(clock.instant(), List.copyOf(entries));
    }

    private static String causes(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && out.indexOf(t.getMessage()) < 0) {
                out.append(out.length() == 0 ? "" : ": ").append(t.getMessage());
            }
        }
        return out.length() == 0 ? e.getClass().getSimpleName() : out.toString();
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private record Index(Instant readAt, List<PrivateKeyEntry> entries) {
    }

    /** The rfc822Names and dNSNames of a certificate, lower case. */
    record Names(List<String> addresses, List<String> domains) {
        static Names of(X509Certificate cert) {
            List<String> addresses = new ArrayList<>();
            List<String> domains = new ArrayList<>();
            try {
                Collection<List<?>> sans = cert.getSubjectAlternativeNames();
                if (sans != null) {
                    for (List<?> san : sans) {
                        int type = (Integer) san.get(0);
                        String value = String.valueOf(san.get(1)).toLowerCase(Locale.ROOT);
                        if (type == 1) {
                            addresses.add(value);
                        } else if (type == 2) {
                            domains.add(value);
                        }
                    }
                }
            } catch (CertificateParsingException e) {
                // no names to find it by: its label still finds it
            }
            return new Names(addresses, domains);
        }
    }
}
