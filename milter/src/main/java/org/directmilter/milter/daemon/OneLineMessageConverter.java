package org.directmilter.milter.daemon;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.directmilter.crypto.text.LogSafe;

/**
 * {@code %oneline} in logback.xml: the formatted message with every line break, control and separator
 * character escaped ({@link LogSafe#oneLine}), so that no message — whatever value a caller put in it
 * unescaped — can start a line of its own in the journal. Stack traces ({@code %ex}) are printed apart.
 */
public final class OneLineMessageConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return LogSafe.oneLine(event.getFormattedMessage());
    }
}
