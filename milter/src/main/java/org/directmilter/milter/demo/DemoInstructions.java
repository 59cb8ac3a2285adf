package org.directmilter.milter.demo;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** What the demo prints once the daemon's socket is bound: how to use it, as commands ready to paste. */
public final class DemoInstructions {

    // Characters a POSIX shell takes literally; anything else gets the path single-quoted.
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9@%+=:,./_-]+");

    /** A client address outside InternalHosts, so the daemon treats the message as incoming. */
    private static final String OUTSIDE_CLIENT = "192.0.2.10";

    private DemoInstructions() {
    }

    /**
     * @param port     the port the daemon is bound to on 127.0.0.1
     * @param launcher how the user runs direct-milter, e.g. {@code bin/direct-milter} in a source checkout
     */
    public static String text(DemoSetup.Prepared prepared, int port, String launcher) {
        DemoLayout layout = prepared.layout();
        String probe = launcher + " probe --socket inet:" + port + "@127.0.0.1";
        String envelope = " --from " + DemoLayout.SENDER + " --to " + DemoLayout.RECIPIENT;
        String sent = shell(layout.sentMessage());
        return "direct-milter demo in " + layout.root() + "\n"
                + "  test PKI: " + (prepared.pkiCreated()
                        ? "created: a CA each for hisp-a.example and hisp-b.example; keys in keys/, the partners' "
                                + "certificates in certs/, trust anchors in anchors/"
                        : "reused from an earlier run") + "\n"
                + "  configuration: " + layout.config() + (prepared.configCreated() ? " (created)" : " (reused)") + "\n"
                + "\n"
                + "To put the daemon in front of Postfix, add to main.cf:\n"
                + "  smtpd_milters         = inet:127.0.0.1:" + port + "\n"
                + "  non_smtpd_milters     = $smtpd_milters\n"
                + "  milter_default_action = tempfail\n"
                + "  milter_protocol       = 6\n"
                + "\n"
                + "Or play the MTA yourself: in a second terminal, send a sample message from " + DemoLayout.SENDER
                + " to " + DemoLayout.RECIPIENT + "\n"
                + "(signed with hisp-a.example's key, encrypted to bob's certificate from certs/):\n"
                + "  " + probe + envelope + " --output " + sent + "\n"
                + "\n"
                + "Then open it as bob's HISP would: decrypt with bob's key, verify the signature against the\n"
                + "anchor hisp-b.example trusts for hisp-a.example:\n"
                + "  openssl cms -decrypt -in " + sent
                + " -recip " + shell(layout.certificateFile(DemoLayout.RECIPIENT))
                + " -inkey " + shell(layout.keyFile(DemoLayout.RECIPIENT))
                + " -passin file:" + shell(layout.passwordFile())
                + " | openssl cms -verify -CAfile " + shell(layout.signerAnchor()) + "\n"
                + "\n"
                + "Or hand it back to the daemon as hisp-b.example receives it, from a client outside InternalHosts:\n"
                + "it decrypts and verifies it, and delivers the original with an X-Direct-Verified header:\n"
                + "  " + probe + " --client-addr " + OUTSIDE_CLIENT + envelope + " " + sent
                + " --output " + shell(layout.receivedMessage()) + "\n"
                + "\n"
                + "The daemon runs in the foreground; Ctrl-C stops it. Run the demo again to restart it with the same files.\n";
    }

    static String shell(Path path) {
        String text = path.toString();
        return SHELL_SAFE.matcher(text).matches() ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
