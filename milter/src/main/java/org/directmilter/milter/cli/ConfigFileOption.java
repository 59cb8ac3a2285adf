package org.directmilter.milter.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -c FILE} option every subcommand that reads the configuration shares. */
final class ConfigFileOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "/etc/direct-milter/direct-milter.conf",
            description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path file;
}
