package org.directmilter.milter.daemon;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.directmilter.milter.log.LogText;

/**
 * {@code %oneline} in logback.xml: the formatted message with every line break, control and separator
 * character escaped ({@link LogText#oneLine}), so that no message — whatever value a caller put in it
 * unescaped — can start a line of its own in the journal. Stack traces ({@code %ex}) are printed apart.
 */
public final class OneLineMessageConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return LogText.oneLine(event.getFormattedMessage());
    }
}
