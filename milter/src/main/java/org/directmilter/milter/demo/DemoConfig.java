package org.directmilter.milter.demo;

import java.time.LocalDate;
import java.util.stream.Collectors;
import org.directmilter.milter.demo.DemoLayout.Hisp;

/** The demo's direct-milter.conf: both demo domains local, everything inside the demo directory, no DNS. */
final class DemoConfig {

    private DemoConfig() {
    }

    static String text(DemoLayout layout, int port) {
        String domains = DemoLayout.HISPS.stream().map(Hisp::domain).collect(Collectors.joining(", "));
        return "# direct-milter demo configuration, written by 'direct-milter demo' on " + LocalDate.now() + ".\n"
                + "# Running the demo again reuses this file; delete it to have it written anew.\n"
                + "# Every key is described in etc/direct-milter.conf of the source tree.\n"
                + "Socket              inet:" + port + "@127.0.0.1\n"
                + "Domains             " + domains + "\n"
                + "KeyStore            " + layout.keys() + "\n"
                + "AnchorDir           " + layout.anchors() + "\n"
                + "CertificateDir      " + layout.certificates() + "\n"
                + "TemporaryDirectory  " + layout.temporary() + "\n"
                + "# Every recipient's certificate is in CertificateDir, so discovery never needs DNS. One that\n"
                + "# does reach DNS asks a port where nothing listens and fails at once (a 451 for that\n"
                + "# recipient): nothing from the demo goes to the real network.\n"
                + "Nameservers         127.0.0.1:1\n"
                + "DNSTimeout          1s\n"
                + "DNSAttempts         1\n"
                + "# The demo has no MTA to queue the processed MDN a verified message gets: none is sent.\n"
                + "Notifications       no\n"
                + "# Nor one to bring MDNs back or carry a timeout notice: outgoing mail is not tracked.\n"
                + "Tracking            no\n";
    }
}
