package org.directmilter.milter.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the source tree that tests check against the code: the shipped configuration, the docs. */
public final class RepositoryFiles {

    private RepositoryFiles() {
    }

    /**
     * The file at {@code relative} from the repository root. Surefire runs in milter/; walking up makes
     * the tests also work from the repository root.
     */
    public static Path find(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
