package org.directmilter.milter.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.directmilter.milter.config.ConfigLoader;
import org.directmilter.milter.config.ConfigResult;
import org.directmilter.milter.config.MilterConfig;
import picocli.CommandLine.Option;

/** The {@code -c FILE} option every subcommand that reads the configuration shares. */
final class ConfigFileOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "/etc/direct-milter/direct-milter.conf",
            description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path file;

    /** The configuration, or empty after printing every error (FILE:LINE: reason) to {@code err}. */
    Optional<MilterConfig> loadOrReport(PrintWriter err) {
        ConfigResult result = new ConfigLoader().load(file);
        if (result instanceof ConfigResult.Invalid invalid) {
            invalid.errors().forEach(err::println);
            err.flush();
            return Optional.empty();
        }
        return Optional.of(((ConfigResult.Valid) result).config());
    }
}
