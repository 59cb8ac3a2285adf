package org.directmilter.milter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.Pkcs11KeyStore;
import org.directmilter.crypto.keys.Pkcs12DirectoryKeyStore;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.text.LogSafe;
import org.directmilter.crypto.trust.Certificates;

/**
 * The private keys the daemon would use, one line each, in the order it would prefer them: the token's
 * first, then the KeyStore directory's. Each line says what the key is found under (an address or a
 * domain), its certificate, and where it comes from (the file, or the token's slot and the key's label).
 */
final class KeyReport {

    private KeyReport() {
    }

    /**
     * The lines for {@code token} and the PKCS#12 files in {@code keyDirectory}. Files that cannot be read
     * are not listed: {@code check} has already reported them as errors.
     */
    static List<String> lines(Optional<Pkcs11KeyStore> token, Path keyDirectory) throws KeyStoreException {
        List<String> out = new ArrayList<>();
        if (token.isPresent()) {
            List<PrivateKeyEntry> keys = token.get().allKeys();
            if (keys.isEmpty()) {
                out.add("key: none in " + token.get().settings().describe());
            }
            for (PrivateKeyEntry key : keys) {
                out.add(line(String.join(", ", Pkcs11KeyStore.namesOf(key)), key));
            }
        }
        Pkcs12DirectoryKeyStore files = new Pkcs12DirectoryKeyStore(keyDirectory);
        try (var listing = Files.list(keyDirectory)) {
            for (Path file : listing.filter(f -> f.getFileName().toString().endsWith(".p12")).sorted().toList()) {
                String name = file.getFileName().toString();
                name = name.substring(0, name.length() - ".p12".length());
                try {
                    for (PrivateKeyEntry key : files.keysNamed(name)) {
                        out.add(line(name, key));
                    }
                } catch (KeyStoreException | IllegalArgumentException e) {
                    // reported by check's environment checks
                }
            }
        } catch (IOException e) {
            // likewise: an unreadable KeyStore directory is an error check reports
        }
        return out;
    }

    private static String line(String names, PrivateKeyEntry key) {
        X509Certificate cert = key.certificate();
        return "key: " + LogSafe.escape(names) + ": " + LogSafe.escape(cert.getSubjectX500Principal().getName())
                + ", expires " + DateTimeFormatter.ISO_LOCAL_DATE.format(cert.getNotAfter().toInstant()
                .atOffset(ZoneOffset.UTC)) + ", sha-256 " + Certificates.sha256(cert).substring(0, 16) + "…, from "
                + LogSafe.escape(key.source().describe());
    }
}
