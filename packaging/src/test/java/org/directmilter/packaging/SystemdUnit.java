package org.directmilter.packaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The [Service] section of a unit file, read the way systemd reads it, so a test can run the unit's
 * exact ExecStart and ExecReload lines where systemd is not PID 1: continuation lines, quoting,
 * Environment= and EnvironmentFile= (files override Environment=), {@code ${VAR}} within a word and a
 * whole-word {@code $VAR} split at whitespace (systemd.service(5), "Command lines"). Anything this
 * reader does not implement (exec prefixes, specifiers) is refused rather than guessed.
 */
final class SystemdUnit {

    private static final Pattern WHOLE_WORD_VARIABLE = Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern BRACED_VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final Map<String, List<String>> service;

    private SystemdUnit(Map<String, List<String>> service) {
        this.service = service;
    }

    static SystemdUnit parse(String text) {
        Map<String, List<String>> service = new LinkedHashMap<>();
        String section = "";
        StringBuilder pending = new StringBuilder();
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (pending.length() == 0 && (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            String logical = pending.append(line).toString();
            pending.setLength(0);
            if (logical.startsWith("[") && logical.endsWith("]")) {
                section = logical.substring(1, logical.length() - 1);
            } else if (section.equals("Service")) {
                int eq = logical.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("not a Key=value line: " + logical);
                }
                service.computeIfAbsent(logical.substring(0, eq).strip(), k -> new ArrayList<>())
                        .add(logical.substring(eq + 1).strip());
            }
        }
        return new SystemdUnit(service);
    }

    List<String> values(String key) {
        return service.getOrDefault(key, List.of());
    }

    /** The one value of a key given exactly once. */
    String value(String key) {
        List<String> values = values(key);
        if (values.size() != 1) {
            throw new IllegalArgumentException(key + "= is given " + values.size() + " times: " + values);
        }
        return values.get(0);
    }

    /**
     * The service's environment: every Environment= assignment, then each EnvironmentFile= in order
     * ({@code -} before the path: a missing file is fine). {@code files} returns a file's text or null.
     */
    Map<String, String> environment(Function<String, String> files) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String value : values("Environment")) {
            for (String assignment : words(value)) {
                int eq = assignment.indexOf('=');
                env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
            }
        }
        for (String value : values("EnvironmentFile")) {
            boolean optional = value.startsWith("-");
            String path = optional ? value.substring(1) : value;
            String text = files.apply(path);
            if (text == null) {
                if (!optional) {
                    throw new IllegalArgumentException("EnvironmentFile " + path + " does not exist");
                }
                continue;
            }
            env.putAll(environmentFile(text));
        }
        return env;
    }

    /** KEY=VALUE lines; '#' and ';' comments; one pair of surrounding quotes is removed. */
    static Map<String, String> environmentFile(String text) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not VAR=value: " + line);
            }
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            env.put(line.substring(0, eq).strip(), value);
        }
        return env;
    }

    /** The argv systemd would execute for a command line such as ExecStart's, in {@code env}. */
    static List<String> command(String commandLine, Map<String, String> env) {
        if (!commandLine.isEmpty() && "-@:+!".indexOf(commandLine.charAt(0)) >= 0) {
            throw new IllegalArgumentException("exec prefixes are not implemented: " + commandLine);
        }
        List<String> argv = new ArrayList<>();
        for (String word : words(commandLine)) {
            Matcher whole = WHOLE_WORD_VARIABLE.matcher(word);
            if (whole.matches()) {
                String value = env.getOrDefault(whole.group(1), "").strip();
                if (!value.isEmpty()) {
                    argv.addAll(List.of(value.split("\\s+")));
                }
                continue;
            }
            if (word.contains("%")) {
                throw new IllegalArgumentException("specifiers are not implemented: " + word);
            }
            String expanded = BRACED_VARIABLE.matcher(word.replace("$$", "\u0000"))
                    .replaceAll(m -> Matcher.quoteReplacement(env.getOrDefault(m.group(1), "")));
            if (expanded.contains("$")) {
                throw new IllegalArgumentException("an unbraced variable inside a word is not expanded by systemd: " + word);
            }
            argv.add(expanded.replace('\u0000', '$'));
        }
        return argv;
    }

    /** Words separated by whitespace; "double" and 'single' quotes group, with backslash escapes inside. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                if (word == null) {
                    word = new StringBuilder();
                }
                if (c == '"' || c == '\'') {
                    quote = c;
                } else {
                    word.append(c);
                }
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unbalanced quote in: " + line);
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
