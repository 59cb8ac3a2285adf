package org.directmilter.milter.daemon;

import java.nio.file.Path;
import org.apache.commons.daemon.Daemon;
import org.apache.commons.daemon.DaemonContext;
import org.apache.commons.daemon.DaemonInitException;
import org.apache.commons.daemon.DaemonUserSignal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jsvc entry point. jsvc (1.0.15 on Linux, measured) switches to the {@code -user} before it calls
 * {@link #init}, keeping only CAP_NET_BIND_SERVICE, so {@code init} binds the socket and reads the
 * configuration and anchors as the daemon user; keys must be readable by its group. Then it calls
 * {@link #start}. SIGTERM leads to
 * {@link #stop} and {@link #destroy}; SIGUSR2 to {@link #signal}, which reloads the configuration.
 *
 * <p>Arguments: {@code [-c FILE]}, default {@value #DEFAULT_CONFIG}.
 */
public final class DirectMilterDaemon implements Daemon, DaemonUserSignal {

    static final String DEFAULT_CONFIG = "/etc/direct-milter/direct-milter.conf";

    private static final Logger log = LoggerFactory.getLogger(DirectMilterDaemon.class);

    private DaemonRunner runner;

    /** jsvc instantiates the class reflectively. */
    public DirectMilterDaemon() {
    }

    @Override
    public void init(DaemonContext context) throws DaemonInitException {
        Path configFile = configFile(context.getArguments());
        try {
            runner = DaemonRunner.bind(configFile);
        } catch (StartupException e) {
            throw failure(e);
        }
    }

    @Override
    public void start() throws DaemonInitException {
        try {
            runner.start();
        } catch (StartupException e) {
            throw failure(e);
        }
    }

    @Override
    public void stop() {
        if (runner != null) {
            runner.stop(DaemonRunner.DRAIN_GRACE);
        }
    }

    @Override
    public void destroy() {
        stop(); // a no-op after stop(); closes the socket when init() succeeded but start() never ran
        runner = null;
    }

    /** SIGUSR2. jsvc calls this on its own thread; a failure must never take the daemon down. */
    @Override
    public void signal() {
        DaemonRunner current = runner;
        if (current == null) {
            return;
        }
        try {
            current.reload();
        } catch (RuntimeException e) {
            log.error("reload failed; still running with the previous configuration", e);
        }
    }

    DaemonRunner runner() {
        return runner;
    }

    /** {@code -c FILE}, {@code --config FILE} or {@code --config=FILE}; anything else is refused. */
    static Path configFile(String[] args) throws DaemonInitException {
        Path file = Path.of(DEFAULT_CONFIG);
        String[] given = args == null ? new String[0] : args;
        for (int i = 0; i < given.length; i++) {
            String arg = given[i];
            if (arg.equals("-c") || arg.equals("--config")) {
                if (i + 1 >= given.length) {
                    throw new DaemonInitException("direct-milter: " + arg + " needs a file name");
                }
                file = Path.of(given[++i]);
            } else if (arg.startsWith("--config=")) {
                file = Path.of(arg.substring("--config=".length()));
            } else {
                throw new DaemonInitException("direct-milter: unknown argument \"" + arg
                        + "\" (the daemon takes only -c FILE)");
            }
        }
        return file;
    }

    // jsvc prints a DaemonInitException's message without a stack trace; the details go to the log
    // (stdout, the journal) so every configuration error is visible, one line each.
    private static DaemonInitException failure(StartupException e) {
        e.details().forEach(detail -> log.error("{}", detail));
        log.error("direct-milter cannot start: {}", e.getMessage());
        return new DaemonInitException(e.getMessage());
    }
}
