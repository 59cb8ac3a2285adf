package org.directmilter.milter.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.directmilter.milter.config.RepositoryFiles;
import org.junit.jupiter.api.Test;

class OneLineMessageConverterTest {

    @Test
    void theShippedPatternPrintsAForgedLineBreakEscaped() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(RepositoryFiles.find("etc/logback.xml").toFile());
        @SuppressWarnings("unchecked")
        ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> console =
                (ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent>) context.getLogger("ROOT").getAppender("STDOUT");
        PatternLayout layout = (PatternLayout) ((LayoutWrappingEncoder<?>) console.getEncoder()).getLayout();

        ch.qos.logback.classic.Logger logger = context.getLogger("org.directmilter.milter.session.MilterSession");
        LoggingEvent event = new LoggingEvent("x", logger, Level.WARN,
                "milter protocol error from MTA: {}; closing", null,
                new Object[] {"bad\r\nINFO  [milter-worker-1] audit: event=incoming outcome=verified"});
        String line = layout.doLayout(event);

        assertThat(line).endsWith("closing\n").doesNotContain("\r");
        assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
        assertThat(line).contains("bad\\r\\nINFO  [milter-worker-1] audit:");
        context.stop();
    }
}
