package org.directmilter.milter.server;

import java.time.Duration;
import java.util.Locale;

/** Durations as an operator reads them in a log line ("10m", "2.5s", "1h30m"), not ISO-8601 ("PT10M"). */
final class Durations {

    private Durations() {
    }

    static String human(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        long seconds = millis / 1000;
        StringBuilder text = new StringBuilder();
        append(text, seconds / 3600, "h");
        append(text, seconds % 3600 / 60, "m");
        append(text, seconds % 60, "s");
        return text.toString();
    }

    private static void append(StringBuilder text, long amount, String unit) {
        if (amount > 0) {
            text.append(amount).append(unit);
        }
    }
}
