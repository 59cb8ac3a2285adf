package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.DAVE;
import static org.directmilter.milter.testkit.DirectDeployment.MALLORY;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.trust.bundle.BundleServer;
import org.directmilter.crypto.trust.bundle.BundleServer.Answer;
import org.directmilter.crypto.trust.bundle.Bundles;
import org.directmilter.milter.testkit.DirectDeployment;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.Scratch;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A trust bundle through a real Postfix: the daemon subscribes to a bundle served by a local HTTPS
 * server (its test CA given as BundleTrustStore). A message signed under a CA only the bundle holds is
 * delivered; once the bundle no longer holds that CA and the refresher ran, the next one gets 550 5.7.1.
 */
@Tag("integration")
class TrustBundlePostfixIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    // Refresh 1m plus up to a tenth of jitter, and the fetch itself.
    private static final Duration REFRESH_WAIT = Duration.ofSeconds(120);

    @Test
    void aBundleMemberIsDeliveredUntilARefreshDropsIt() throws Exception {
        try (BundleServer server = new BundleServer()) {
            DirectDeployment deployment = DirectDeployment.start(setup -> subscribe(setup, server));
            try (PostfixInstance mta = PostfixInstance.start(deployment.postfixSocket())) {
                awaitLog(deployment, "bundle community: applied, 1 anchors (1 added, 0 dropped)", WAIT);

                String first = "bundle-member@partner.example";
                List<SmtpClient.Reply> delivered = sendFromMallory(deployment, mta, first);

                assertThat(delivered).as("replies").allMatch(SmtpClient.Reply::positive);
                Poll.until("<" + first + "> at the sink", WAIT, () -> !withId(mta, first).isEmpty(),
                        deployment::diagnostics);
                awaitLog(deployment, "from=" + MALLORY + " outcome=verified", WAIT);
                assertThat(deployment.daemon().log().lines().filter(l -> l.contains(" audit: ")
                        && l.contains("from=" + MALLORY + " outcome=verified")))
                        .as("the audit line names the bundle of the deciding anchor")
                        .singleElement().asString().contains(",bundle:community");

                // The community drops mallory's CA; the bundle now holds the partner's only.
                server.answer(new Answer.Bundle(Bundles.p7b(deployment.setup.partnerCa.caCertificate())));
                awaitLog(deployment, "bundle community: applied, 1 anchors (1 added, 1 dropped)", REFRESH_WAIT);

                String second = "bundle-dropped@partner.example";
                List<SmtpClient.Reply> refused = sendFromMallory(deployment, mta, second);

                assertThat(refused.get(refused.size() - 1).last()).startsWith("550 5.7.1 Direct: sender not trusted: ");
                assertThat(withId(mta, second)).as("at the sink").isEmpty();
            } finally {
                deployment.close();
            }
        }
    }

    /** The bundle file and keys, and the server answering with a bundle of the stranger CA (mallory's). */
    private static String subscribe(DirectSetup setup, BundleServer server) {
        try {
            server.answer(new Answer.Bundle(Bundles.p7b(setup.strangerCa.caCertificate())));
            Path dir = Scratch.newDirectory("bundles-");
            Path bundles = Files.createDirectories(dir.resolve("bundles.d"));
            Files.writeString(bundles.resolve("community.conf"), "URL " + server.url() + "\n"
                    + "Domains " + DirectSetup.LOCAL + "\nDirections incoming\nRefresh 1m\n");
            Path trustStore = TestPki.writePem(dir.resolve("bundle-servers.pem"), BundleServer.TLS_CA.cert());
            return "BundleDir " + bundles + "\nBundleStateDir " + dir.resolve("state") + "\n"
                    + "BundleTrustStore " + trustStore + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<SmtpClient.Reply> sendFromMallory(DirectDeployment deployment, PostfixInstance mta, String id) {
        DirectSetup setup = deployment.setup;
        List<String> to = List.of(DAVE);
        String sent = deployment.partner.protect(message(MALLORY, to, id, "from a bundle member", "Referral.\n"),
                setup.mallory, List.of(setup.dave), routingHeaders(MALLORY, to, id));
        return SmtpClient.send(mta.smtpPort(), MALLORY, to, sent);
    }

    private static List<SinkMessage> withId(PostfixInstance mta, String messageId) {
        return mta.sinkMessages().stream().filter(m -> m.text().contains("<" + messageId + ">")).toList();
    }

    private static void awaitLog(DirectDeployment deployment, String fragment, Duration wait) {
        Poll.until("a daemon log line with " + fragment, wait,
                () -> deployment.daemon().log().contains(fragment), deployment::diagnostics);
    }
}
