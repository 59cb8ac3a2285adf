package org.directmilter.milter.config;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One configuration key: its canonical spelling, how its value is parsed, its default and a one-line
 * description. Keys are compared by identity; {@link ConfigKeys} holds the one instance of each.
 */
public final class ConfigKey<T> {

    /** When a changed value takes effect. */
    public enum Applies {
        /** Read again on SIGUSR2. */
        ON_RELOAD,
        /** Fixed when the daemon binds and starts (the socket, pools, limits): a restart applies it. */
        ON_RESTART
    }

    private final String name;
    private final ValueType<T> type;
    private final String defaultText;
    private final Supplier<T> defaultValue;
    private final Applies applies;
    private final String doc;

    ConfigKey(String name, ValueType<T> type, String defaultText, Supplier<T> defaultValue,
              Applies applies, String doc) {
        this.name = Objects.requireNonNull(name);
        this.type = Objects.requireNonNull(type);
        this.defaultText = Objects.requireNonNull(defaultText);
        this.defaultValue = Objects.requireNonNull(defaultValue);
        this.applies = Objects.requireNonNull(applies);
        this.doc = Objects.requireNonNull(doc);
    }

    /** The canonical spelling, as errors, logs and the sample file show it. */
    public String name() {
        return name;
    }

    public ValueType<T> type() {
        return type;
    }

    /** The default as the documentation states it ("600s", "number of CPUs", "unset"). */
    public String defaultText() {
        return defaultText;
    }

    /** Evaluated at load time, because some defaults depend on the host (CPUs, java.io.tmpdir). */
    public T defaultValue() {
        return defaultValue.get();
    }

    public Applies applies() {
        return applies;
    }

    public String doc() {
        return doc;
    }

    public String format(T value) {
        return type.format(value);
    }

    @Override
    public String toString() {
        return name;
    }
}
