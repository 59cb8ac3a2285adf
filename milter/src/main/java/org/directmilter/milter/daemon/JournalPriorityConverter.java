package org.directmilter.milter.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Locale;

/**
 * Prints the syslog priority prefix ({@code <3>} for ERROR, {@code <4>} WARN, {@code <6>} INFO,
 * {@code <7>} DEBUG and TRACE) that journald reads from a service's stdout when SyslogLevelPrefix is on
 * (the default), so {@code journalctl -p warning} works.
 *
 * <p>Option: {@code auto} (default) prefixes only when stdout goes to the journal, which systemd signals
 * by setting {@code JOURNAL_STREAM}; {@code yes} always; {@code no} never. A terminal or a file would
 * otherwise show the raw {@code <6>}.
 */
public final class JournalPriorityConverter extends ClassicConverter {

    private boolean enabled;

    @Override
    public void start() {
        String option = getFirstOption() == null ? "auto" : getFirstOption().strip().toLowerCase(Locale.ROOT);
        enabled = switch (option) {
            case "yes", "true", "always", "1" -> true;
            case "no", "false", "never", "0" -> false;
            default -> System.getenv("JOURNAL_STREAM") != null;
        };
        super.start();
    }

    @Override
    public String convert(ILoggingEvent event) {
        return enabled ? prefix(event.getLevel()) : "";
    }

    static String prefix(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> "<3>";
            case Level.WARN_INT -> "<4>";
            case Level.INFO_INT -> "<6>";
            default -> "<7>";
        };
    }
}
