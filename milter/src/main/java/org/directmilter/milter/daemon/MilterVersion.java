package org.directmilter.milter.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of the running build, for --version and the startup line. */
public final class MilterVersion {

    // maven-archiver puts this into every jar it builds; it is absent when running from target/classes.
    private static final String POM_PROPERTIES = "/META-INF/maven/org.directmilter/direct-milter/pom.properties";

    private static final String VERSION = lookup();

    private MilterVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String lookup() {
        try (InputStream in = MilterVersion.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version");
                if (version != null && !version.isBlank()) {
                    return version;
                }
            }
        } catch (IOException e) {
            // fall through: a missing version must never stop the daemon
        }
        String manifest = MilterVersion.class.getPackage().getImplementationVersion();
        return manifest != null ? manifest : "(development build)";
    }
}
