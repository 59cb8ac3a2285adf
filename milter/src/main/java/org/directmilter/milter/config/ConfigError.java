package org.directmilter.milter.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One problem in a configuration file, printed the way compilers print them so editors can jump to it.
 *
 * @param line 1-based line number, or 0 when the problem concerns the whole file
 */
public record ConfigError(Path file, int line, String reason) {

    public ConfigError {
        Objects.requireNonNull(file);
        Objects.requireNonNull(reason);
        if (line < 0) {
            throw new IllegalArgumentException("line " + line);
        }
    }

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + reason : file + ": " + reason;
    }
}
