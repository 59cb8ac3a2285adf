package org.directmilter.crypto.jca;

import java.security.Security;
import javax.crypto.Cipher;

/** For {@link NativeProviderTest}, in a JVM of its own: installs, then prints the outcome and the providers. */
final class NativeProviderProbe {

    private NativeProviderProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(NativeProvider.install().describe());
        System.out.println("first: " + Security.getProviders()[0].getName());
        System.out.println("RSA from: " + Cipher.getInstance("RSA/ECB/PKCS1Padding").getProvider().getName());
    }
}
