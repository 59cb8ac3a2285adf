package org.directmilter.milter.server;

import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Stops the test's server, if it started one, after each test: {@code @RegisterExtension final StopServerAfterEach stop = new StopServerAfterEach(() -> server);}. */
final class StopServerAfterEach implements AfterEachCallback {
    private final Supplier<MilterServer> server;

    StopServerAfterEach(Supplier<MilterServer> server) {
        this.server = server;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        MilterServer started = server.get();
        if (started != null) {
            started.stop(Duration.ofSeconds(1));
        }
    }
}
