package org.directmilter.crypto.jca;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import java.security.Security;

/**
 * Amazon Corretto Crypto Provider (ACCP: AWS-LC behind the JCA) installed as the JVM's first provider, so
 * that every default JCA lookup — RSA signing and key unwrapping, AES, SHA-256, HMAC, the default
 * {@code SecureRandom} — runs in native code, about four times faster for the RSA private-key operation
 * that dominates a message. The S/MIME code names no provider for these, so nothing else changes; the
 * lookups that do name one keep it (a PKCS#11 token's key goes to the token's SunPKCS11 provider,
 * AES-GCM content to Bouncy Castle).
 *
 * <p>ACCP carries its library for Linux x86_64 inside its jar and unpacks it at load time into a private
 * directory under {@code com.amazon.corretto.crypto.provider.tmpdir} (default {@code java.io.tmpdir}),
 * deleting it once loaded. When that fails — another architecture, a {@code noexec} temporary directory, a
 * failed self-test — the JDK's providers stay in use: installing never throws for it, it says why.
 */
public final class NativeProvider {

    /** What {@link #install()} did. */
    public sealed interface Installation {

        /** For the one start-up line and {@code check}: what is in use. */
        String describe();

        /** ACCP is the first provider; {@code version} as ACCP reports it ("2.5.0"). */
        record Installed(String name, String version) implements Installation {
            @Override
            public String describe() {
                return name + " " + version + " in use";
            }
        }

        /** ACCP could not be loaded or failed its self-tests: the JDK's providers are in use. */
        record Unavailable(String reason) implements Installation {
            @Override
            public String describe() {
                return "AmazonCorrettoCryptoProvider unavailable (" + reason + "); using the JDK's providers";
            }
        }
    }

    private NativeProvider() {
    }

    /**
     * Loads ACCP and, when its native part loaded and passed its self-tests, makes it the first JCA provider
     * of this JVM (moving it there if it was installed further down). Calling it again changes nothing.
     */
    public static synchronized Installation install() {
        Provider provider;
        try {
            provider = Accp.healthy();
        } catch (LinkageError | RuntimeException e) {
            // LinkageError: the library does not load (UnsatisfiedLinkError) or the jar is missing
            return new Installation.Unavailable(reason(e));
        }
        Provider[] providers = Security.getProviders();
        if (providers.length == 0 || providers[0] != provider) {
            Security.removeProvider(provider.getName());
            Security.insertProviderAt(provider, 1);
        }
        return new Installation.Installed(provider.getName(), provider.getVersionStr());
    }

    /** The first cause's class and message: the loading error is usually wrapped once or twice. */
    private static String reason(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message == null) {
            return root.getClass().getSimpleName();
        }
        // UnsatisfiedLinkError says "PATH: " + dlerror(), and dlerror() starts with "PATH: " again
        int colon = message.indexOf(": ");
        if (colon > 0 && message.startsWith(message.substring(0, colon + 2) + message.substring(0, colon + 2))) {
            message = message.substring(colon + 2);
        }
        return root.getClass().getSimpleName() + ": " + message;
    }

    /**
     * Every reference to ACCP's classes, apart: a JVM that cannot link them fails in {@link #healthy}, inside
     * the caller's catch, never while loading {@link NativeProvider} itself.
     */
    private static final class Accp {
        static Provider healthy() {
            AmazonCorrettoCryptoProvider provider = AmazonCorrettoCryptoProvider.INSTANCE;
            Throwable loading = provider.getLoadingError();
            if (loading != null) {
                throw new IllegalStateException("native library not loaded", loading);
            }
            provider.assertHealthy(); // runs the self-tests once; throws when one failed
            return provider;
        }
    }
}
