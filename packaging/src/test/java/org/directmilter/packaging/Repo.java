package org.directmilter.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository, found from the test's working directory (packaging/ under Maven). */
final class Repo {

    private Repo() {
    }

    static Path root() {
        String given = System.getProperty("dm.repo");
        if (given != null) {
            return Path.of(given).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("packaging/deb")) && Files.isRegularFile(dir.resolve("etc/direct-milter.conf"))) {
                return dir;
            }
        }
        throw new AssertionError("repository root not found above " + Path.of("").toAbsolutePath());
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
