package org.directmilter.milter.it;

import org.directmilter.milter.testkit.SendmailInstance;
import org.directmilter.milter.testkit.SocketKind;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

/** Our milter server behind a real Sendmail 8.17 (F=T): replies and changes as Sendmail applies them. */
@Tag("integration")
class SendmailMilterIT {

    @Nested
    class OverInet extends MilterBehindMta {
        OverInet() {
            super(SocketKind.INET, milter -> SendmailInstance.start(milter.libmilterSocket()));
        }
    }

    @Nested
    class OverUnix extends MilterBehindMta {
        OverUnix() {
            super(SocketKind.UNIX, milter -> SendmailInstance.start(milter.libmilterSocket()));
        }
    }
}
