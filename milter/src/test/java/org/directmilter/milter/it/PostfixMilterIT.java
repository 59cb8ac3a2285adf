package org.directmilter.milter.it;

import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.SocketKind;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

/** Our milter server behind a real Postfix: replies reach the SMTP client, changes reach the sink. */
@Tag("integration")
class PostfixMilterIT {

    @Nested
    class OverInet extends MilterBehindMta {
        OverInet() {
            super(SocketKind.INET, milter -> PostfixInstance.start(milter.postfixSocket()));
        }
    }

    @Nested
    class OverUnix extends MilterBehindMta {
        OverUnix() {
            super(SocketKind.UNIX, milter -> PostfixInstance.start(milter.postfixSocket()));
        }
    }
}
