package org.directmilter.packaging;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The package checks need lintian, rpm and rpmlint. .ci/run installs them and sets
 * DM_REQUIRE_PACKAGE_TOOLS=1, so there a missing tool fails the build; on a developer machine
 * without them the checks that need them are skipped with the reason.
 */
final class Tools {

    private Tools() {
    }

    static void require(String executable, String aptPackage) {
        boolean present = Files.isExecutable(Path.of(executable));
        if (!present && "1".equals(System.getenv("DM_REQUIRE_PACKAGE_TOOLS"))) {
            throw new AssertionError(executable + " is missing: apt-get install " + aptPackage);
        }
        assumeTrue(present, executable + " is missing (apt-get install " + aptPackage + ")");
    }
}
