package org.directmilter.milter.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.directmilter.milter.daemon.DaemonRunner;
import org.directmilter.milter.daemon.ExitStatus;
import org.directmilter.milter.daemon.StartupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code direct-milter run}: the daemon in the foreground, for systemd without jsvc, containers and tests. */
@Command(name = "run",
        header = "Run the milter in the foreground until SIGTERM or SIGINT.",
        description = {
            "Loads the configuration, binds the Socket and serves MTA connections. Logs go to standard "
                    + "output without timestamps (journald adds them). On SIGTERM or SIGINT it stops "
                    + "accepting, lets messages in flight finish for up to 30 seconds and exits 0.",
            "",
            "Startup failures print one line per problem and exit non-zero without a stack trace.",
            "",
            "SIGHUP reloads the configuration, the anchors and the keys without dropping connections "
                    + "(under jsvc, as the packaged service runs, the reload signal is SIGUSR2). A reloaded "
                    + "file with errors, or without Domains, is logged and ignored."
        },
        exitCodeList = {
            " 0:stopped cleanly after SIGTERM or SIGINT",
            "69:the socket could not be bound (EX_UNAVAILABLE): in use, no permission, directory missing",
            "78:the configuration has errors (EX_CONFIG)",
            "64:bad command line (EX_USAGE)"
        })
final class RunCommand implements Callable<Integer> {

    @Mixin
    Subcommand command;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        try {
            DaemonRunner.bind(config.file).runInForeground();
            return ExitStatus.OK;
        } catch (StartupException e) {
            return report(e, command.err());
        }
    }

    /** A startup failure as one line per problem, without a stack trace; returns its exit status. */
    static int report(StartupException e, PrintWriter err) {
        e.details().forEach(err::println);
        if (e.details().size() != 1) {
            err.println("direct-milter: " + e.getMessage());
        }
        err.flush();
        return e.exitStatus();
    }
}
