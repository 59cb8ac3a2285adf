package org.directmilter.milter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.Callable;
import org.directmilter.milter.daemon.DaemonRunner;
import org.directmilter.milter.daemon.ExitStatus;
import org.directmilter.milter.daemon.StartupException;
import org.directmilter.milter.demo.DemoInstructions;
import org.directmilter.milter.demo.DemoSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code direct-milter demo [DIR]}: a test PKI and configuration made once, then the daemon on 127.0.0.1. */
@Command(name = "demo",
        header = "Create a self-contained demo (test PKI, configuration) and run the daemon on 127.0.0.1.",
        description = {
            "Creates, once, in DIR: a test PKI for two Direct domains, hisp-a.example and hisp-b.example — a CA "
                    + "each (the trust anchors), a private key and certificate each (KeyStore), the partners' "
                    + "certificates in a CertificateDir so no DNS is needed — and a direct-milter.conf that uses them "
                    + "and listens on port PORT of 127.0.0.1. Running it again reuses what DIR holds.",
            "",
            "Then runs the daemon in the foreground, as 'direct-milter run -c DIR/direct-milter.conf' does, after "
                    + "printing the main.cf lines that put it in front of Postfix, a 'probe' command that sends a "
                    + "sample message through it, an openssl command that decrypts and verifies the result, and a "
                    + "second 'probe' that hands the result back to the daemon as incoming mail.",
            "",
            "The keys are test keys made on this machine, for this demo only."
        },
        exitCodeList = {
            " 0:stopped cleanly after SIGTERM or SIGINT",
            "64:bad command line (EX_USAGE)",
            "69:the socket could not be bound (EX_UNAVAILABLE): the port is in use",
            "73:DIR or a file in it cannot be created (EX_CANTCREAT)",
            "78:DIR/direct-milter.conf has errors (EX_CONFIG)"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  direct-milter demo",
            "  direct-milter demo /tmp/direct-milter-demo --port 9891"
        })
final class DemoCommand implements Callable<Integer> {
    static final int CANNOT_CREATE = 73;

    @Mixin
    Subcommand command;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", defaultValue = "direct-milter-demo",
            description = "Where the demo's files live (default: ./${DEFAULT-VALUE}).")
    Path directory;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8891",
            description = "The port on 127.0.0.1 a new configuration listens on (default: ${DEFAULT-VALUE}); "
                    + "an existing DIR/direct-milter.conf keeps its own.")
    int port;

    @Override
    public Integer call() {
        PrintWriter out = command.out();
        PrintWriter err = command.err();
        if (port < 0 || port > 65_535) {
            return command.fail(ExitStatus.USAGE, "--port " + port + ": not a TCP port");
        }
        DemoSetup.Prepared prepared;
        try {
            prepared = DemoSetup.prepare(directory, port);
        } catch (IOException | GeneralSecurityException e) {
            return command.fail(CANNOT_CREATE, "cannot create the demo in " + directory.toAbsolutePath() + ": " + e);
        }
        try {
            DaemonRunner runner = DaemonRunner.bind(prepared.layout().config());
            out.print(DemoInstructions.text(prepared, runner.port(), launcher()));
            out.flush();
            runner.runInForeground();
            return ExitStatus.OK;
        } catch (StartupException e) {
            return RunCommand.report(e, err);
        }
    }

    // In a source checkout the README runs bin/direct-milter; an installed package puts direct-milter on PATH.
    private static String launcher() {
        return Files.isExecutable(Path.of("bin", "direct-milter")) ? "bin/direct-milter" : "direct-milter";
    }
}
