package org.directmilter.milter.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every subcommand shares, as a picocli mixin: {@code -h/--help}, the streams it writes to (the
 * ones tests hand in), and one way to end with a failure — a line {@code direct-milter COMMAND: reason}
 * on standard error and an exit status. Its {@code @Command} gives every subcommand's help the same
 * layout: options in declaration order, and the same section headings.
 */
@Command(sortOptions = false,
        headerHeading = "%n",
        descriptionHeading = "%nDescription:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n")
final class Subcommand {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Prints {@code direct-milter COMMAND: message} on standard error and returns {@code status}. */
    int fail(int status, String message) {
        PrintWriter err = err();
        err.println("direct-milter " + spec.name() + ": " + message);
        err.flush();
        return status;
    }
}
