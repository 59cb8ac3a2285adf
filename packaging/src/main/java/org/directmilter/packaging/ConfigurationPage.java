package org.directmilter.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.directmilter.milter.config.ConfigKey;
import org.directmilter.milter.config.ConfigKeys;

/**
 * The key tables of docs/configuration.md, made from {@link ConfigKeys} as direct-milter.conf(5) is
 * ({@link ConfManPage}). Each table follows a marker line {@code <!-- keys from NAME ... -->} and lists
 * the keys from NAME up to the next marker's key (the last table: to the end), in registry order, with
 * type, default, when a change applies and meaning; the prose around the tables is kept as written.
 * The page is checked in; {@code GeneratedFilesTest} fails when it is stale.
 *
 * <p>Argument: {@code REPOSITORY_ROOT}; rewrites {@value #PAGE} in place.
 */
public final class ConfigurationPage {

    static final String PAGE = "docs/configuration.md";

    static final String HEADER = "| Key | Type | Default | Applies | Meaning |\n|---|---|---|---|---|\n";

    private static final Pattern MARKER = Pattern.compile("<!-- keys from ([A-Za-z0-9-]+)[^\\n]*-->\\n");

    private ConfigurationPage() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ConfigurationPage REPOSITORY_ROOT");
        }
        Path page = Path.of(args[0]).resolve(PAGE);
        Files.writeString(page, render(Files.readString(page, StandardCharsets.UTF_8), ConfigKeys.all()),
                StandardCharsets.UTF_8);
    }

    /** {@code page} with every marked table made again from {@code keys}. */
    static String render(String page, List<ConfigKey<?>> keys) {
        Matcher m = MARKER.matcher(page);
        List<Integer> tableStarts = new ArrayList<>();
        List<Integer> firstKeys = new ArrayList<>();
        while (m.find()) {
            tableStarts.add(m.end());
            firstKeys.add(indexOf(keys, m.group(1)));
        }
        if (tableStarts.isEmpty()) {
            throw new IllegalArgumentException(PAGE + " has no <!-- keys from NAME --> marker");
        }
        if (firstKeys.get(0) != 0) {
            throw new IllegalArgumentException(PAGE + ": the first table must start with " + keys.get(0).name());
        }
        StringBuilder out = new StringBuilder(page.length());
        int copied = 0;
        for (int t = 0; t < tableStarts.size(); t++) {
            int start = tableStarts.get(t);
            int from = firstKeys.get(t);
            int to = t + 1 < firstKeys.size() ? firstKeys.get(t + 1) : keys.size();
            if (to <= from) {
                throw new IllegalArgumentException(PAGE + ": the markers are not in the order of ConfigKeys");
            }
            out.append(page, copied, start).append(table(keys.subList(from, to)));
            copied = endOfTable(page, start);
        }
        return out.append(page, copied, page.length()).toString();
    }

    static String table(List<ConfigKey<?>> keys) {
        StringBuilder out = new StringBuilder(HEADER);
        for (ConfigKey<?> key : keys) {
            out.append("| `").append(key.name()).append("` | ").append(type(key.type().description()))
                    .append(" | ").append(defaultText(key.defaultText())).append(" | ")
                    .append(key.applies() == ConfigKey.Applies.ON_RELOAD ? "reload" : "restart")
                    .append(" | ").append(cell(key.doc())).append(" |\n");
        }
        return out.toString();
    }

    /** A type; the values of a choice ("action: tempfail|reject") are code, as the file has them. */
    private static String type(String description) {
        if (!description.contains("|")) {
            return description;
        }
        int colon = description.lastIndexOf(": ");
        String prefix = colon < 0 ? "" : description.substring(0, colon + 2);
        return prefix + "`" + String.join("`\\|`", description.substring(prefix.length()).split("\\|")) + "`";
    }

    /** A default as typed in the file is code; one that is a phrase ("number of CPUs") is not. */
    private static String defaultText(String text) {
        return text.matches("[A-Za-z]+( [A-Za-z]+)+") ? text : "`" + text + "`";
    }

    /** A table cell: a '|' in the text would end the cell. */
    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    private static int indexOf(List<ConfigKey<?>> keys, String name) {
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(PAGE + ": marker names " + name + ", which is not a key");
    }

    /** Where the table starting at {@code start} ends: after its last line beginning with '|'. */
    private static int endOfTable(String page, int start) {
        int at = start;
        while (at < page.length() && page.startsWith("|", at)) {
            int newline = page.indexOf('\n', at);
            at = newline < 0 ? page.length() : newline + 1;
        }
        return at;
    }
}
