package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.directmilter.milter.testkit.Miltertest;
import org.directmilter.milter.testkit.RunningMilter;
import org.directmilter.milter.testkit.SampleHandler;
import org.directmilter.milter.testkit.SocketKind;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** OpenDKIM's miltertest, an independent libmilter-style client, against our milter server. */
@Tag("integration")
class MiltertestIT {

    @ParameterizedTest(name = "over {0} socket")
    @EnumSource(SocketKind.class)
    void sampleHandlerAsMiltertestSeesIt(SocketKind socket) {
        try (RunningMilter milter = new RunningMilter(new SampleHandler(), socket)) {
            Miltertest.Result result = Miltertest.run("sample-handler.lua", milter.libmilterSocket());

            assertThat(result.exitCode()).as("%s", result).isZero();
            assertThat(result.output()).contains("sample-handler: all checks passed");
            assertThat(result.command()).contains("socket=" + milter.libmilterSocket());
        }
    }
}
