package org.directmilter.crypto.keys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Private keys in a directory of PKCS#12 files: {@code <address>.p12} for one address,
 * {@code <domain>.p12} for a whole domain. The password of {@code NAME.p12} is the first line of
 * {@code NAME.pass} beside it, else of the directory's {@code password} file.
 *
 * <p>A key or password file that anyone but the owner and the daemon's groups may read is refused,
 * naming the path: such a key must be treated as disclosed, and silently using it would hide that.
 * Loaded files are cached until their modification time or size changes (PKCS#12 decryption is
 * deliberately slow); the modes of a cached key and its password file are checked again each time the
 * key is asked for, so a file made readable after the daemon loaded it is refused from then on.
 */
public final class Pkcs12DirectoryKeyStore implements PrivateKeyStore {

    // What may appear in a file name derived from an address; anything else (a '/', "..") is refused.
    private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9!#$%&'*+=?^_`{|}~.-]+(@[a-z0-9.-]+)?");

    private final Path directory;
    private final PrivateFiles files;
    private final Map<Path, Loaded> cache = new ConcurrentHashMap<>();
    private final Map<Path, Object> loading = new ConcurrentHashMap<>();

    /**
     * A store for the groups of the running process. Run as root (the administrator's {@code check},
     * {@code protect}, {@code unprotect}), files may also be readable by the group owning the directory:
     * in a packaged install that is the daemon's group, the one the daemon reads them through.
     */
    public Pkcs12DirectoryKeyStore(Path directory) {
        this(directory, PrivateFiles.groupsFor(directory));
    }

    /** A store that lets files be readable by the given group ids (tests choose them). */
    Pkcs12DirectoryKeyStore(Path directory, Set<Long> daemonGroups) {
        this.directory = directory;
        this.files = new PrivateFiles(daemonGroups);
    }

    public Path directory() {
        return directory;
    }

    @Override
    public List<PrivateKeyEntry> keysNamed(String name) throws KeyStoreException {
        if (!SAFE_NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("not a usable address for a key file name: " + name);
        }
        return load(name);
    }

    private List<PrivateKeyEntry> load(String name) throws KeyStoreException {
        Path file = directory.resolve(name + ".p12");
        Optional<PrivateFiles.Version> version;
        try {
            version = files.examine(file);
        } catch (KeyStoreException e) {
            cache.remove(file); // a key made readable to others after loading is dropped from memory
            throw e;
        }
        if (version.isEmpty()) {
            return List.of();
        }
        Loaded cached = cache.get(file);
        if (cached != null && cached.version().equals(version.get())) {
            return stillPrivate(file, cached);
        }
        // One reader per file: sixteen connections arriving together must not each pay the deliberately
        // slow PKCS#12 key derivation.
        synchronized (loading.computeIfAbsent(file, f -> new Object())) {
            cached = cache.get(file);
            if (cached != null && cached.version().equals(version.get())) {
                return stillPrivate(file, cached);
            }
            Path passwordFile = passwordFile(file, name);
            List<PrivateKeyEntry> entries = read(file, passwordFile);
            cache.put(file, new Loaded(version.get(), passwordFile, entries));
            return entries;
        }
    }

    /**
     * A chmod changes neither size nor modification time, so the modes of a cached key ({@link
     * PrivateFiles#examine}, just now) and of its password file are checked every time the key is asked
     * for: one made readable to others after loading is refused from then on, and dropped from memory.
     */
    private List<PrivateKeyEntry> stillPrivate(Path file, Loaded cached) throws KeyStoreException {
        try {
            files.check(cached.passwordFile());
        } catch (KeyStoreException e) {
            cache.remove(file, cached);
            throw e;
        }
        return cached.entries();
    }

    /** Reads a key file whose modes {@link PrivateFiles#examine} has just accepted. */
    private List<PrivateKeyEntry> read(Path file, Path passwordFile) throws KeyStoreException {
        char[] password = files.firstLine(passwordFile);
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            List<PrivateKeyEntry> entries = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                PrivateKey key = (PrivateKey) store.getKey(alias, password);
                Certificate[] chain = store.getCertificateChain(alias);
                if (key == null || chain == null || chain.length == 0) {
                    throw new KeyStoreException(file, "entry '" + alias + "' has no certificate chain");
                }
                List<X509Certificate> certs = new ArrayList<>();
                for (Certificate c : chain) {
                    certs.add((X509Certificate) c);
                }
                entries.add(new PrivateKeyEntry(key, certs, new KeySource.Pkcs12File(file)));
            }
            if (entries.isEmpty()) {
                throw new KeyStoreException(file, "holds no private key");
            }
            return List.copyOf(entries);
        } catch (IOException e) {
            // KeyStore.load reports a wrong password as an IOException whose cause is UnrecoverableKeyException.
            throw new KeyStoreException(file, "cannot be loaded (corrupt, or wrong password): " + e.getMessage());
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new KeyStoreException(file, "cannot be loaded: " + e.getMessage());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** {@code NAME.pass} beside the key, else the directory's {@code password} file. */
    private Path passwordFile(Path keyFile, String name) throws KeyStoreException {
        Path own = directory.resolve(name + ".pass");
        Path file = Files.exists(own) ? own : directory.resolve("password");
        if (!Files.exists(file)) {
            throw new KeyStoreException(keyFile, "no password file: neither " + own + " nor " + file + " exists");
        }
        return file;
    }

    private record Loaded(PrivateFiles.Version version, Path passwordFile, List<PrivateKeyEntry> entries) {
    }
}
