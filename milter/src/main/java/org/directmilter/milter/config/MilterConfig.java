package org.directmilter.milter.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * A validated configuration: a value for every registered key (from the file or the default) and the
 * line each value came from. Immutable; two configurations are equal when their values are.
 */
public final class MilterConfig {

    private final Path source;
    private final Map<ConfigKey<?>, Object> values;
    private final Map<ConfigKey<?>, Integer> lines;

    MilterConfig(Path source, Map<ConfigKey<?>, Object> values, Map<ConfigKey<?>, Integer> lines) {
        this.source = Objects.requireNonNull(source);
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.lines = Map.copyOf(lines);
    }

    /** The file this was read from. */
    public Path source() {
        return source;
    }

    @SuppressWarnings("unchecked") // values are stored only through keys of the matching type
    public <T> T get(ConfigKey<T> key) {
        Object value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("key " + key + " is not registered in ConfigKeys");
        }
        return (T) value;
    }

    /** The line that set the key, or empty when it has its default. */
    public OptionalInt lineOf(ConfigKey<?> key) {
        Integer line = lines.get(key);
        return line == null ? OptionalInt.empty() : OptionalInt.of(line);
    }

    /** The value as it would be written in the file. */
    public <T> String format(ConfigKey<T> key) {
        return key.format(get(key));
    }

    /** Keys whose values differ between this and {@code other}, in registry order. */
    public List<ConfigKey<?>> changedKeys(MilterConfig other) {
        return values.keySet().stream()
                .filter(key -> !Objects.equals(values.get(key), other.values.get(key)))
                .collect(Collectors.toUnmodifiableList());
    }

    /** Every effective setting on one line, for {@code check} and startup logs. */
    public String summary() {
        return values.keySet().stream()
                .map(key -> key.name() + "=" + formatAny(key))
                .collect(Collectors.joining(" "));
    }

    private <T> String formatAny(ConfigKey<T> key) {
        String text = format(key);
        return text.contains(" ") ? "\"" + text + "\"" : text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MilterConfig other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "MilterConfig[" + source + ": " + summary() + "]";
    }
}
