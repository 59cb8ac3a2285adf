package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** OpenDKIM's miltertest, an independent libmilter-style client, against our milter server. */
@Tag("integration")
class MiltertestIT {

    @Test
    void sampleHandlerAsMiltertestSeesIt() {
        try (RunningMilter milter = RunningMilter.start(new SampleHandler())) {
            Miltertest.Result result = Miltertest.run("sample-handler.lua", milter.port());

            assertThat(result.exitCode()).as("%s", result).isZero();
            assertThat(result.output()).contains("sample-handler: all checks passed");
        }
    }
}
