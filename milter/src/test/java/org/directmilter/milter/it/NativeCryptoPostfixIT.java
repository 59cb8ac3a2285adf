package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.ALICE;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;
import static org.directmilter.milter.testkit.DirectDeployment.DAVE;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.nio.file.Path;
import java.util.List;
import org.directmilter.milter.testkit.DirectDeployment;
import org.directmilter.milter.testkit.Exec;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.Resources;
import org.directmilter.milter.testkit.Scratch;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code NativeCrypto yes} end to end behind a real Postfix, openssl as the partner HISP: the daemon with
 * Amazon Corretto Crypto Provider first protects mail openssl decrypts and verifies, and opens what openssl
 * made. Then the same daemon whose native library cannot load — its temporary directory a {@code noexec}
 * tmpfs mounted in this test's mount namespace, as on a host with /tmp noexec where only SQLite's
 * directory was moved — says so and protects mail as well with the JDK's providers.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the fallback restarts the daemon: it runs last
class NativeCryptoPostfixIT {

    private DirectDeployment deployment;
    private PostfixInstance postfix;
    private Path noexec;

    @BeforeAll
    void start() {
        deployment = DirectDeployment.start(setup -> "NativeCrypto yes\n");
        postfix = PostfixInstance.start(deployment.postfixSocket());
    }

    @AfterAll
    void stop() {
        Resources.closeAll(postfix, deployment);
        if (noexec != null) {
            Exec.run(DirectBehindMta.WAIT, List.of("umount", noexec.toString()));
        }
    }

    @Test
    @Order(1)
    void withTheNativeProviderMailGoesBothWaysAndOpensslAgrees() {
        assertThat(nativeCryptoLine()).as("the daemon's start-up line")
                .matches("INFO +\\[main\\] DaemonRunner: native crypto: AmazonCorrettoCryptoProvider \\d+\\.\\d+\\.\\d+ in use");

        assertOutgoingOpensWithOpenssl("outgoing-native@hisp-a.example");

        String id = "incoming-native@partner.example";
        String inner = message(BOB, List.of(DAVE), id, "referral", "Summary of care, natively decrypted.\n");
        String sent = deployment.partner.protect(inner, deployment.setup.bob, List.of(deployment.setup.dave),
                routingHeaders(BOB, List.of(DAVE), id));
        assertThat(SmtpClient.send(postfix.smtpPort(), BOB, List.of(DAVE), sent)).allMatch(SmtpClient.Reply::positive);
        String delivered = arrived(id);
        assertThat(delivered).contains("X-Direct-Verified: signer=" + BOB + ";")
                .endsWith("\n\nSummary of care, natively decrypted.\n\n");
    }

    @Test
    @Order(2)
    void whenTheNativeLibraryCannotLoadTheDaemonSaysSoAndProtectsMailWithTheJdkProviders() throws Exception {
        noexec = Scratch.newDirectory("noexec-");
        Exec.check("mount", "-t", "tmpfs", "-o", "noexec,nosuid,nodev,size=32m,mode=1777", "tmpfs", noexec.toString());
        Path sqlite = Scratch.newDirectory("sqlite-tmp-"); // as docs/tracking.md tells an operator with /tmp noexec
        deployment.restartDaemon("", List.of("-Djava.io.tmpdir=" + noexec, "-Dorg.sqlite.tmpdir=" + sqlite));

        assertThat(nativeCryptoLine()).as("the daemon's start-up line")
                .startsWith("WARN  [main] DaemonRunner: native crypto: AmazonCorrettoCryptoProvider unavailable (")
                .contains("UnsatisfiedLinkError", noexec.toString())
                .endsWith("); using the JDK's providers");
        assertOutgoingOpensWithOpenssl("outgoing-fallback@hisp-a.example");
    }

    /** The one "native crypto:" line of the current daemon's log, without a journal priority prefix. */
    private String nativeCryptoLine() {
        List<String> lines = deployment.daemon().log().lines().filter(l -> l.contains("native crypto:"))
                .map(l -> l.replaceFirst("^<\\d>", "")).toList();
        assertThat(lines).as("native crypto lines in\n%s", deployment.diagnostics()).hasSize(1);
        return lines.get(0);
    }

    private void assertOutgoingOpensWithOpenssl(String id) {
        String original = message(ALICE, List.of(BOB), id, "lab results", "Potassium 4.1 mmol/L\n");
        assertThat(SmtpClient.send(postfix.smtpPort(), ALICE, List.of(BOB), original))
                .allMatch(SmtpClient.Reply::positive);
        String outer = arrived(id);
        assertThat(outer).doesNotContain("Potassium");
        assertThat(deployment.partner.open(outer, deployment.setup.bob, deployment.setup.localCa))
                .isEqualTo("Content-Type: message/rfc822\n\n" + original);
    }

    /** The relayed text of the one message with this Message-ID at the sink. */
    private String arrived(String messageId) {
        org.directmilter.milter.testkit.Poll.until("<" + messageId + "> at the sink", DirectBehindMta.WAIT,
                () -> postfix.sinkMessages().stream().anyMatch(m -> m.text().contains("<" + messageId + ">")),
                () -> postfix.maillog() + "\n" + deployment.diagnostics());
        return postfix.sinkMessages().stream().filter(m -> m.text().contains("<" + messageId + ">"))
                .findFirst().orElseThrow().relayed();
    }
}
