package org.directmilter.crypto.jca;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Security;
import javax.crypto.Cipher;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * The crypto module's {@code native-crypto} test run (its pom): with the system property
 * {@value #PROPERTY}{@code =required}, Amazon Corretto Crypto Provider is made the first JCA provider before
 * any test class is loaded, as {@code NativeCrypto yes} does in the daemon. A provider that does not load
 * stops the run rather than let the tests pass on the JDK's providers; so does one no longer first at the
 * end. Without the property (every other run, and the modules that use this test-jar) it does nothing.
 */
public final class NativeProviderSession implements LauncherSessionListener {

    static final String PROPERTY = "directmilter.test.nativeProvider";

    static boolean required() {
        return "required".equals(System.getProperty(PROPERTY));
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (!required()) {
            return;
        }
        if (NativeProvider.install() instanceof NativeProvider.Installation.Unavailable unavailable) {
            throw new IllegalStateException(PROPERTY + "=required, but " + unavailable.describe());
        }
        assertFirst("after installing it");
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        if (required()) {
            assertFirst("after the tests (one of them removed or moved it)");
        }
    }

    /** The lookup the S/MIME code makes for RSA key transport, answered by ACCP. */
    static void assertFirst(String when) {
        String first = Security.getProviders()[0].getName();
        Provider rsa;
        try {
            rsa = Cipher.getInstance("RSA/ECB/PKCS1Padding").getProvider();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no RSA cipher " + when, e);
        }
        if (!first.equals("AmazonCorrettoCryptoProvider") || !rsa.getName().equals(first)) {
            throw new IllegalStateException("the native provider is not first " + when + ": first " + first
                    + ", RSA from " + rsa.getName());
        }
    }
}
