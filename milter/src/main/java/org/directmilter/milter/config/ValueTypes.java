package org.directmilter.milter.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The value syntaxes configuration keys share. Each parser's message names the offending text. */
public final class ValueTypes {

    private static final Pattern DURATION_SYNTAX = Pattern.compile("(\\d{1,9})([smhSMH]?)");
    private static final Pattern SIZE_SYNTAX = Pattern.compile("(\\d{1,12})([kmgKMG]?)");
    // RFC 1123 labels; A-labels ("xn--...") are the way to write internationalised names.
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    // What getent and useradd accept, plus Samba-style trailing '$'; a number is a gid.
    private static final Pattern GROUP = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}\\$?|\\d{1,10}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:+-]{1,64}");

    /** OpenDKIM's rule: only the first character counts. */
    public static final ValueType<Boolean> BOOLEAN = ValueType.of("boolean", ValueTypes::parseBoolean, b -> b ? "yes" : "no");

    /** Seconds by default; {@code 30}, {@code 30s}, {@code 5m}, {@code 1h}. Zero is refused. */
    public static final ValueType<Duration> DURATION = ValueType.of("duration", ValueTypes::parseDuration,
            ValueTypes::formatDuration);

    public static final ValueType<FileMode> FILE_MODE = ValueType.of("octal mode", FileMode::parse, FileMode::toString);

    /** Absolute only: under jsvc the working directory is "/", and a relative path would surprise. */
    public static final ValueType<Path> ABSOLUTE_PATH = ValueType.of("path", ValueTypes::parseAbsolutePath, Path::toString);

    /** Domain names, lower-cased, without a trailing dot, duplicates dropped. */
    public static final ValueType<List<String>> DOMAIN_LIST = list("domain list", ValueTypes::parseDomain, Function.identity());

    public static final ValueType<List<HostPort>> HOST_PORT_LIST = list("list of IP[:PORT]", HostPort::parse, HostPort::toString);

    public static final ValueType<List<Cidr>> CIDR_LIST = list("CIDR list", Cidr::parse, Cidr::toString);

    /** Simple tokens such as Postfix service names ({@code {daemon_name}} values). */
    public static final ValueType<List<String>> NAME_LIST = list("name list", ValueTypes::parseName, Function.identity());

    public static final ValueType<String> GROUP_NAME = ValueType.of("group name or gid", ValueTypes::parseGroup, Function.identity());

    private ValueTypes() {
    }

    /**
     * A failure action limited to the ones that make sense for the condition: outgoing mail that could
     * not be encrypted can never be accepted, and nothing can be quarantined before end of data.
     */
    public static ValueType<FailureAction> failureAction(FailureAction... allowed) {
        var permitted = java.util.EnumSet.copyOf(List.of(allowed));
        String choices = Stream.of(allowed).map(FailureAction::keyword).collect(Collectors.joining("|"));
        return ValueType.of("action: " + choices, text -> {
            FailureAction action = FailureAction.parse(text);
            if (!permitted.contains(action)) {
                throw new IllegalArgumentException("\"" + text + "\" is not allowed here; use "
                        + permitted.stream().map(FailureAction::keyword).collect(Collectors.joining("|")));
            }
            return action;
        }, FailureAction::keyword);
    }

    public static ValueType<Integer> intRange(int min, int max) {
        return ValueType.of("integer " + min + "–" + max, text -> {
            if (!text.matches("\\d{1,10}") || Long.parseLong(text) < min || Long.parseLong(text) > max) {
                throw new IllegalArgumentException("\"" + text + "\" is not a whole number from " + min + " to " + max);
            }
            return Integer.parseInt(text);
        }, String::valueOf);
    }

    /** Bytes, with optional binary suffixes K, M, G ({@code 1M} is 1,048,576). */
    public static ValueType<Long> size(long min, long max) {
        return ValueType.of("size " + formatSize(min) + "–" + formatSize(max), text -> {
            var m = SIZE_SYNTAX.matcher(text);
            long bytes = -1;
            if (m.matches()) {
                int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
                    case "K" -> 10;
                    case "M" -> 20;
                    case "G" -> 30;
                    default -> 0;
                };
                long number = Long.parseLong(m.group(1));
                bytes = number > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : number << shift;
            }
            if (bytes < min || bytes > max) {
                throw new IllegalArgumentException("\"" + text + "\" is not a size from " + formatSize(min)
                        + " to " + formatSize(max) + " (bytes, or a number with K, M or G)");
            }
            return bytes;
        }, ValueTypes::formatSize);
    }

    /** A value that may be left unset; formatted as "unset" when empty. */
    public static <T> ValueType<Optional<T>> optional(ValueType<T> type) {
        return ValueType.of(type.description(), text -> Optional.of(type.parse(text)),
                value -> value.map(type::format).orElse("unset"));
    }

    /** Comma-separated, blanks around commas ignored; an empty element is an error, not a silent skip. */
    public static <T> ValueType<List<T>> list(String description, Function<String, T> element,
                                              Function<T, String> formatter) {
        return ValueType.of(description, text -> {
            var items = new LinkedHashSet<T>();
            for (String part : text.split(",", -1)) {
                String item = part.strip();
                if (item.isEmpty()) {
                    throw new IllegalArgumentException("empty entry in list \"" + text + "\"");
                }
                items.add(element.apply(item));
            }
            return List.copyOf(new ArrayList<>(items));
        }, values -> values.isEmpty() ? "none" : values.stream().map(formatter).collect(Collectors.joining(", ")));
    }

    static boolean parseBoolean(String text) {
        switch (text.charAt(0)) {
            case 'T', 't', 'Y', 'y', '1':
                return true;
            case 'F', 'f', 'N', 'n', '0':
                return false;
            default:
                throw new IllegalArgumentException("\"" + text + "\" is not a boolean (yes/no, true/false, 1/0)");
        }
    }

    static Duration parseDuration(String text) {
        var m = DURATION_SYNTAX.matcher(text);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("\"" + text
                    + "\" is not a positive duration (seconds, or a number with s, m or h: 30, 30s, 5m, 1h)");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    static String formatDuration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    static String formatSize(long bytes) {
        String[] suffixes = {"G", "M", "K"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < suffixes.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes != 0 && bytes % unit == 0) {
                return bytes / unit + suffixes[i];
            }
        }
        return Long.toString(bytes);
    }

    private static Path parseAbsolutePath(String text) {
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a valid path: " + e.getReason());
        }
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("\"" + text + "\" is not an absolute path");
        }
        return path.normalize();
    }

    private static String parseDomain(String text) {
        String name = text.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        boolean valid = !name.isEmpty() && name.length() <= 253;
        for (String label : name.split("\\.", -1)) {
            valid &= LABEL.matcher(label).matches();
        }
        if (!valid) {
            throw new IllegalArgumentException("\"" + text + "\" is not a domain name"
                    + " (letters, digits and hyphens; internationalised names in their xn-- form)");
        }
        return name;
    }

    private static String parseName(String text) {
        if (!NAME.matcher(text).matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a simple name (letters, digits, _ . : + -)");
        }
        return text;
    }

    private static String parseGroup(String text) {
        if (!GROUP.matcher(text).matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a group name or numeric gid");
        }
        return text;
    }
}
