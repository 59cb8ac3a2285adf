package org.directmilter.milter.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** The outcome of loading a configuration file: a usable configuration, or every error found in it. */
public sealed interface ConfigResult {

    record Valid(MilterConfig config) implements ConfigResult {
        public Valid {
            Objects.requireNonNull(config);
        }
    }

    /** @param errors never empty, in file order */
    record Invalid(Path file, List<ConfigError> errors) implements ConfigResult {
        public Invalid {
            Objects.requireNonNull(file);
            errors = List.copyOf(errors);
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("an invalid result needs at least one error");
            }
        }
    }
}
