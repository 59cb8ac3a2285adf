package org.directmilter.milter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.directmilter.milter.cli.OfflineExit.Stop;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code protect} and {@code unprotect} share: the configuration, IN and OUT, and one way to end —
 * an exit code from {@link OfflineExit} and, on failure, one line naming the reason.
 */
abstract class OfflineCommand implements Callable<Integer> {

    @Mixin
    Subcommand command;

    @Mixin
    ConfigFileOption config;

    @Mixin
    MessageFiles files;


    @Override
    public final Integer call() {
        PrintWriter err = command.err();
        return OfflineExit.run(command.spec.name(), err, () -> run(err));
    }

    /** The command's work; progress and results go to {@code err}, the message to OUT. */
    abstract OfflineExit run(PrintWriter err) throws Stop, IOException;

    /** The "Exit codes:" section of --help, from {@link OfflineExit} like the codes themselves. */
    static final class ExitCodes implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            spec.usageMessage().exitCodeList(OfflineExit.helpList(spec.name()));
            return spec;
        }
    }
}
