package org.directmilter.milter.it;

import org.directmilter.milter.testkit.SendmailInstance;
import org.junit.jupiter.api.Tag;

/**
 * The Direct milter end to end behind a real Sendmail 8.17 (extracted, F=T): outgoing mail leaves
 * encrypted, incoming mail arrives verified, a recipient without a certificate is refused at RCPT
 * ({@link DirectBehindMta}'s tests, with Sendmail's wording of the replies).
 */
@Tag("integration")
class DirectSendmailIT extends DirectBehindMta {

    DirectSendmailIT() {
        super(deployment -> SendmailInstance.start(deployment.libmilterSocket()));
    }
}
