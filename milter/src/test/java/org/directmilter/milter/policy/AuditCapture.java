package org.directmilter.milter.policy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The audit lines logged between its creation and {@link #close()}, as their text. */
final class AuditCapture implements AutoCloseable {

    private final Logger audit = (Logger) LoggerFactory.getLogger(AuditLine.LOGGER);
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();

    AuditCapture() {
        captured.start();
        audit.addAppender(captured);
    }

    /** The lines so far; appends run on the milter's threads, under the appender's lock. */
    List<String> lines() {
        synchronized (captured) {
            return captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        audit.detachAppender(captured);
    }
}
