package org.directmilter.milter.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.directmilter.milter.server.SocketSpec;

/**
 * What {@code check --postfix} says of a Postfix's settings: the ones that keep a Direct message from
 * leaving in clear by a side door (mail submitted locally, null senders, notifications) or unprotected
 * when the daemon is down. Read with Postfix's own {@code postconf}, so defaults and {@code $name}
 * expansions are Postfix's.
 */
final class PostfixSettings {

    private static final List<String> NAMES = List.of("smtpd_milters", "non_smtpd_milters", "milter_default_action");

    private PostfixSettings() {
    }

    /** Warnings for the Postfix configured in {@code configDir} about the milter listening on {@code socket}. */
    static List<String> warnings(Path postconf, Path configDir, SocketSpec socket) throws IOException {
        List<String> values = postconf(postconf, configDir);
        String smtpd = values.get(0);
        String nonSmtpd = values.get(1);
        String defaultAction = values.get(2).trim();
        List<String> warnings = new ArrayList<>();
        boolean onSmtpd = names(smtpd, socket);
        boolean onNonSmtpd = names(nonSmtpd, socket);
        if (!onSmtpd) {
            warnings.add("Postfix (" + configDir + "): smtpd_milters does not name direct-milter's socket " + socket
                    + ": mail received over SMTP is neither protected nor verified");
        }
        if (!onNonSmtpd) {
            warnings.add("Postfix (" + configDir + "): non_smtpd_milters does not name direct-milter's socket "
                    + socket + ": mail submitted with sendmail (local programs, delivery notifications) leaves "
                    + "unprotected");
        }
        if (!defaultAction.equals("tempfail")) {
            warnings.add("Postfix (" + configDir + "): milter_default_action is " + defaultAction
                    + ", not tempfail: while direct-milter cannot be reached, mail passes unprotected");
        }
        return warnings;
    }

    /** Whether a milter list (white space or comma separated) has an entry reaching {@code socket}. */
    static boolean names(String milters, SocketSpec socket) {
        return Arrays.stream(milters.split("[\\s,]+")).filter(e -> !e.isEmpty())
                .map(PostfixSettings::address).anyMatch(e -> reaches(e, socket));
    }

    /** The address of a milter entry, without the {@code {…}} per-milter settings of Postfix 3. */
    private static String address(String entry) {
        String e = entry.startsWith("{") ? entry.substring(1) : entry;
        return e.endsWith("}") ? e.substring(0, e.length() - 1) : e;
    }

    private static boolean reaches(String entry, SocketSpec socket) {
        if (socket instanceof SocketSpec.Inet inet) {
            return entry.startsWith("inet:") && entry.endsWith(":" + inet.port());
        }
        // Postfix names unix sockets relative to its queue directory (the chroot): compare the path's tail.
        Path path = ((SocketSpec.Local) socket).path();
        if (!(entry.startsWith("unix:") || entry.startsWith("local:"))) {
            return false;
        }
        Path named = Path.of(entry.substring(entry.indexOf(':') + 1));
        return path.endsWith(named) || named.endsWith(path);
    }

    private static List<String> postconf(Path postconf, Path configDir) throws IOException {
        List<String> command = new ArrayList<>(List.of(postconf.toString(), "-c", configDir.toString(), "-h", "-x"));
        command.addAll(NAMES);
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        // a few short lines each: reading one stream to its end before the other cannot block postconf
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(postconf + " did not answer within 30 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + postconf);
        }
        List<String> lines = output.lines().toList();
        if (process.exitValue() != 0 || lines.size() != NAMES.size()) {
            throw new IOException(postconf + " -c " + configDir + " failed (exit " + process.exitValue() + "): "
                    + errors.strip());
        }
        return lines;
    }
}
