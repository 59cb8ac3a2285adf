package org.directmilter.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.directmilter.milter.config.ConfigKeys;

/**
 * Makes the files the packages install that are derived rather than copied, run by the build
 * (exec-maven-plugin) before jdeb and rpmbuild:
 *
 * <ul>
 *   <li>{@code man/direct-milter.8.gz} from {@code packaging/man/direct-milter.8};</li>
 *   <li>{@code man/direct-milter.conf.5.gz}: its KEYS section from {@link ConfigKeys#all()}, so the
 *       man page lists exactly the keys the daemon knows;</li>
 *   <li>{@code etc/direct-milter.conf}: the repository's sample with the Postfix-chroot socket
 *       ({@link PackagedConfig});</li>
 *   <li>{@code doc/changelog.gz} from {@code packaging/deb/changelog}.</li>
 * </ul>
 *
 * <p>Arguments: {@code REPOSITORY_ROOT OUTPUT_DIRECTORY PACKAGE_VERSION}.
 */
public final class Generate {

    static final String VERSION_TOKEN = "@VERSION@";

    private Generate() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: Generate REPOSITORY_ROOT OUTPUT_DIRECTORY PACKAGE_VERSION");
        }
        Path repo = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String version = args[2];
        Path man = repo.resolve("packaging/man");

        Gzip.write(out.resolve("man/direct-milter.8.gz"),
                withVersion(read(man.resolve("direct-milter.8")), version));
        Gzip.write(out.resolve("man/direct-milter.conf.5.gz"),
                ConfManPage.render(read(man.resolve("direct-milter.conf.5.in")), ConfigKeys.all(), version));
        Gzip.write(out.resolve("doc/changelog.gz"),
                withVersion(read(repo.resolve("packaging/deb/changelog")), version));

        Path conf = out.resolve("etc/direct-milter.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, PackagedConfig.adapt(read(repo.resolve("etc/direct-milter.conf"))),
                StandardCharsets.UTF_8);
    }

    static String withVersion(String text, String version) {
        if (!text.contains(VERSION_TOKEN)) {
            throw new IllegalArgumentException("no " + VERSION_TOKEN + " to replace");
        }
        return text.replace(VERSION_TOKEN, version);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
