package org.directmilter.milter.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an OpenDKIM-style configuration file: {@code Key value} per line, {@code #} comments,
 * case-insensitive keys. Reports every error in the file, each with its line, rather than the first.
 */
public final class ConfigLoader {

    /** The path the daemon and the CLI use when none is given. */
    public static final Path DEFAULT_FILE = Path.of("/etc/direct-milter/direct-milter.conf");

    // A config file is a few kilobytes; a cap keeps "-c /dev/zero" from exhausting the heap.
    private static final int MAX_FILE_BYTES = 1 << 20;

    private final List<ConfigKey<?>> keys;
    private final Map<String, ConfigKey<?>> byLowerName = new HashMap<>();

    public ConfigLoader() {
        this(ConfigKeys.all());
    }

    /** For tests that need keys of their own. */
    ConfigLoader(List<ConfigKey<?>> keys) {
        this.keys = List.copyOf(keys);
        for (ConfigKey<?> key : this.keys) {
            if (byLowerName.put(lower(key.name()), key) != null) {
                throw new IllegalArgumentException("two keys named " + key.name());
            }
        }
    }

    public ConfigResult load(Path file) {
        String text;
        try {
            text = read(file);
        } catch (IOException e) {
            return new ConfigResult.Invalid(file, List.of(new ConfigError(file, 0, describe(e))));
        }
        return parse(file, text);
    }

    /** Parses text as if read from {@code file}; {@code file} only names the source in errors. */
    public ConfigResult parse(Path file, String text) {
        List<ConfigError> errors = new ArrayList<>();
        Map<ConfigKey<?>, Object> values = new LinkedHashMap<>();
        Map<ConfigKey<?>, Integer> lines = new HashMap<>();
        String[] rawLines = text.split("\n", -1);
        for (int i = 0; i < rawLines.length; i++) {
            int lineNumber = i + 1;
            String line = stripComment(rawLines[i]).strip();
            if (line.isEmpty()) {
                continue;
            }
            int space = firstWhitespace(line);
            String name = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : line.substring(space).strip();
            ConfigKey<?> key = byLowerName.get(lower(name));
            if (key == null) {
                errors.add(new ConfigError(file, lineNumber, "unknown key \"" + name + "\"" + suggestion(name)));
            } else if (lines.containsKey(key)) {
                errors.add(new ConfigError(file, lineNumber, "duplicate key \"" + key.name()
                        + "\" (already set on line " + lines.get(key) + ")"));
            } else if (value.isEmpty()) {
                lines.put(key, lineNumber);
                errors.add(new ConfigError(file, lineNumber, "missing value for \"" + key.name() + "\""));
            } else {
                lines.put(key, lineNumber);
                try {
                    values.put(key, key.type().parse(value));
                } catch (IllegalArgumentException e) {
                    errors.add(new ConfigError(file, lineNumber, "bad value for \"" + key.name() + "\": "
                            + e.getMessage()));
                }
            }
        }
        if (!errors.isEmpty()) {
            return new ConfigResult.Invalid(file, errors);
        }
        Map<ConfigKey<?>, Object> complete = new LinkedHashMap<>();
        for (ConfigKey<?> key : keys) {
            complete.put(key, values.containsKey(key) ? values.get(key) : key.defaultValue());
        }
        return new ConfigResult.Valid(new MilterConfig(file, complete, lines));
    }

    /** The registered defaults, as if read from an empty file at {@code file}. */
    public MilterConfig defaults(Path file) {
        return ((ConfigResult.Valid) parse(file, "")).config();
    }

    // '#' starts a comment at the start of a line or after whitespace; elsewhere it is part of the value.
    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static int firstWhitespace(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (Character.isWhitespace(line.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private String suggestion(String name) {
        String lowered = lower(name);
        Optional<ConfigKey<?>> best = Optional.empty();
        int bestDistance = Integer.MAX_VALUE;
        for (ConfigKey<?> key : keys) {
            int distance = editDistance(lowered, lower(key.name()));
            if (distance < bestDistance) {
                bestDistance = distance;
                best = Optional.of(key);
            }
        }
        // Two edits catch typos and transpositions without suggesting unrelated short names.
        if (best.isPresent() && bestDistance <= 2 && bestDistance < lowered.length() / 2) {
            return " (did you mean \"" + best.get().name() + "\"?)";
        }
        return "";
    }

    /** Optimal string alignment distance: Levenshtein plus adjacent transpositions as one edit. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static String read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("is a directory, not a configuration file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new IOException("larger than " + MAX_FILE_BYTES + " bytes; is this a configuration file?");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString()
                    .replace("\r\n", "\n");
        } catch (CharacterCodingException e) {
            throw new IOException("is not valid UTF-8 text");
        }
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "cannot read configuration: no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "cannot read configuration: permission denied";
        }
        return "cannot read configuration: " + e.getMessage();
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
