package org.directmilter.milter.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.directmilter.milter.daemon.ExitStatus;
import org.directmilter.milter.daemon.MilterVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code direct-milter}: the one launcher; each task is a subcommand with its own --help. */
@Command(name = "direct-milter", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = DirectMilterCommand.Version.class,
        // Subcommands, in the order the usage lists them; a new one is one more class here.
        subcommands = {RunCommand.class, CheckCommand.class, AnchorsCommand.class, ProbeCommand.class, LookupCommand.class,
            DemoCommand.class,
            ProtectCommand.class, UnprotectCommand.class, NotifyCommand.class,
            DnsRecordCommand.class, TrackCommand.class, CommandLine.HelpCommand.class},
        headerHeading = "%n",
        header = "The Direct Project Security/Trust Agent as a milter for Postfix and Sendmail.",
        synopsisHeading = "%nUsage: ",
        synopsisSubcommandLabel = "COMMAND",
        descriptionHeading = "%nDescription:%n",
        description = {
            "direct-milter sits in the MTA's milter chain and makes mail to and from Direct addresses "
                    + "Direct-conformant: outgoing messages are signed and encrypted (S/MIME) to certificates "
                    + "found in DNS and validated against trust anchors; incoming messages are decrypted, "
                    + "verified and unwrapped, or rejected with a precise SMTP reply.",
            "",
            "Under systemd the daemon usually runs through jsvc, whose entry point is the class "
                    + "DirectMilterDaemon with the same -c FILE; 'direct-milter run' is the same daemon in "
                    + "the foreground."
        },
        optionListHeading = "%nOptions:%n",
        commandListHeading = "%nCommands:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            " 0:success",
            "64:bad command line (EX_USAGE)",
            "69:a service is unavailable, e.g. the socket cannot be bound (EX_UNAVAILABLE)",
            "70:internal error (EX_SOFTWARE)",
            "78:configuration error (EX_CONFIG)"
        },
        footerHeading = "%nFiles:%n",
        footer = {
            "  /etc/direct-milter/direct-milter.conf",
            "      the configuration: Key value lines, # comments",
            "  /etc/direct-milter/logback.xml",
            "      logging, chosen with -Dlogback.configurationFile=FILE",
            "",
            "Environment:",
            "  JAVA_OPTS",
            "      JVM options for the bin/direct-milter launcher",
            "  DIRECT_MILTER_LOG_PRIORITY",
            "      auto|yes|no: prefix log lines with <N> for journald (default auto)",
            "",
            "Examples:",
            "  direct-milter check -c /etc/direct-milter/direct-milter.conf",
            "  direct-milter run -c ./direct-milter.conf",
            "  direct-milter help check"
        })
public final class DirectMilterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /** Runs the command line with the given streams and returns the exit status; tests call this. */
    static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new DirectMilterCommand())
                .setOut(out)
                .setErr(err)
                .setUsageHelpLongOptionsMaxWidth(30);
        setExitCodes(commandLine);
        return commandLine;
    }

    // picocli takes these codes from the (sub)command that failed, so every command needs them.
    private static void setExitCodes(CommandLine commandLine) {
        commandLine.getCommandSpec()
                .exitCodeOnInvalidInput(ExitStatus.USAGE)
                .exitCodeOnExecutionException(ExitStatus.SOFTWARE);
        commandLine.getSubcommands().values().forEach(DirectMilterCommand::setExitCodes);
    }

    /** Without a subcommand there is nothing to do: show what there is. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        spec.commandLine().usage(err);
        err.flush();
        return ExitStatus.USAGE;
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "direct-milter " + MilterVersion.get(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
            };
        }
    }
}
