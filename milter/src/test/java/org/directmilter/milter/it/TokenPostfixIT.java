package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.ALICE;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;
import static org.directmilter.milter.testkit.DirectDeployment.DAVE;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.directmilter.crypto.testpki.SoftHsm;
import org.directmilter.milter.testkit.DirectDeployment;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.Resources;
import org.directmilter.milter.testkit.Scratch;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The daemon with alice's and dave's keys in a SoftHSM2 token and not in KeyStore, behind a real Postfix:
 * what alice sends is signed in the token and verifies with openssl; what bob sends dave is opened with
 * dave's key in the token. The forked daemon inherits SOFTHSM2_CONF from the test JVM.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenPostfixIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private DirectDeployment deployment;
    private DirectSetup setup;
    private PostfixInstance mta;

    @BeforeAll
    void start() throws Exception {
        deployment = DirectDeployment.start();
        setup = deployment.setup;
        deployment.daemon().terminate(WAIT);
        SoftHsm.Token token = SoftHsm.newToken();
        SoftHsm.importKey(token, "alice", setup.alice);
        SoftHsm.importKey(token, "dave", setup.dave);
        Files.delete(setup.keys.resolve(ALICE + ".p12"));
        Files.delete(setup.keys.resolve(DAVE + ".p12"));
        Path pin = SoftHsm.pinFile(Scratch.newDirectory("pin-"), SoftHsm.USER_PIN);
        deployment.startDaemon("Pkcs11Library " + SoftHsm.LIBRARY + "\nPkcs11Slot " + token.slot()
                + "\nPkcs11PinFile " + pin + "\n");
        mta = PostfixInstance.start(deployment.postfixSocket());
        Poll.until("the daemon's start-up line about the token", WAIT, () -> deployment.daemon().log()
                .contains("slot " + token.slot() + " of " + SoftHsm.LIBRARY + ": 2 key(s) with certificates"),
                deployment::diagnostics);
    }

    @AfterAll
    void stop() {
        Resources.closeAll(mta, deployment);
    }

    @Test
    void outgoingMailIsSignedByTheTokensKeyAndVerifiesWithOpenssl() {
        String id = "token-outgoing@hisp-a.example";
        String original = message(ALICE, List.of(BOB), id, "signed in the token", "Potassium 4.1 mmol/L\n");

        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), ALICE, List.of(BOB), original);

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        String outer = arrived(id).relayed();
        assertThat(outer).doesNotContain("Potassium");
        assertThat(deployment.partner.open(outer, setup.bob, setup.localCa))
                .as("decrypted with bob's key and verified by openssl against the local CA")
                .isEqualTo("Content-Type: message/rfc822\n\n" + original);
    }

    @Test
    void incomingMailIsOpenedWithTheKeyInTheToken() {
        String id = "token-incoming@partner.example";
        String inner = message(BOB, List.of(DAVE), id, "referral", "Summary of care attached.\n");
        String sent = deployment.partner.protect(inner, setup.bob, List.of(setup.dave),
                routingHeaders(BOB, List.of(DAVE), id));

        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), BOB, List.of(DAVE), sent);

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        assertThat(arrived(id).original()).contains("Summary of care attached.")
                .contains("X-Direct-Verified: signer=" + BOB);
    }

    private SinkMessage arrived(String messageId) {
        Poll.until("<" + messageId + "> at the sink", WAIT,
                () -> mta.sinkMessages().stream().anyMatch(m -> m.text().contains("<" + messageId + ">")),
                () -> mta.maillog() + "\n" + deployment.diagnostics());
        return mta.sinkMessages().stream().filter(m -> m.text().contains("<" + messageId + ">")).findFirst()
                .orElseThrow();
    }
}
