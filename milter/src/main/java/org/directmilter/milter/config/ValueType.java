package org.directmilter.milter.config;

import java.util.Objects;
import java.util.function.Function;

/**
 * How one kind of configuration value is read from, and written back to, the config file syntax.
 * Writing back matters: reload logs and {@code check} show values the way an operator would type them.
 */
public interface ValueType<T> {

    /**
     * @param text the value as written, never blank, already trimmed
     * @throws IllegalArgumentException whose message is an operator-ready reason naming the bad text
     */
    T parse(String text);

    String format(T value);

    /** How the reference names the type: "duration", "integer 1–10", "action: tempfail|reject". */
    String description();

    /** A type the reference calls {@code description}. */
    static <T> ValueType<T> of(String description, Function<String, T> parser, Function<T, String> formatter) {
        Objects.requireNonNull(description);
        Objects.requireNonNull(parser);
        Objects.requireNonNull(formatter);
        return new ValueType<>() {
            @Override
            public String description() {
                return description;
            }

            @Override
            public T parse(String text) {
                return parser.apply(text);
            }

            @Override
            public String format(T value) {
                return formatter.apply(value);
            }
        };
    }
}
