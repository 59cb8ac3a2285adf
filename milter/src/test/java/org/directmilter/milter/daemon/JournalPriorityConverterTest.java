package org.directmilter.milter.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalPriorityConverterTest {

    @Test
    void levelsMapToSyslogPriorities() {
        assertThat(JournalPriorityConverter.prefix(Level.ERROR)).isEqualTo("<3>");
        assertThat(JournalPriorityConverter.prefix(Level.WARN)).isEqualTo("<4>");
        assertThat(JournalPriorityConverter.prefix(Level.INFO)).isEqualTo("<6>");
        assertThat(JournalPriorityConverter.prefix(Level.DEBUG)).isEqualTo("<7>");
        assertThat(JournalPriorityConverter.prefix(Level.TRACE)).isEqualTo("<7>");
    }

    @Test
    void optionSwitchesThePrefixOnAndOff() {
        LoggingEvent event = new LoggingEvent();
        event.setLevel(Level.WARN);
        assertThat(converter("yes").convert(event)).isEqualTo("<4>");
        assertThat(converter("no").convert(event)).isEmpty();
        String auto = converter("auto").convert(event);
        assertThat(auto).isEqualTo(System.getenv("JOURNAL_STREAM") != null ? "<4>" : "");
    }

    private static JournalPriorityConverter converter(String option) {
        JournalPriorityConverter converter = new JournalPriorityConverter();
        converter.setOptionList(List.of(option));
        converter.start();
        return converter;
    }
}
