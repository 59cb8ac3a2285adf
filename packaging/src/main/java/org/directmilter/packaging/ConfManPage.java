package org.directmilter.packaging;

import java.util.List;
import org.directmilter.milter.config.ConfigKey;

/** direct-milter.conf(5): a roff template whose {@value #KEYS_TOKEN} line becomes one entry per key. */
final class ConfManPage {

    static final String KEYS_TOKEN = "@KEYS@";

    private ConfManPage() {
    }

    static String render(String template, List<ConfigKey<?>> keys, String version) {
        String keysLine = KEYS_TOKEN + "\n";
        if (!template.contains(keysLine)) {
            throw new IllegalArgumentException("the template has no " + KEYS_TOKEN + " line");
        }
        StringBuilder entries = new StringBuilder();
        for (ConfigKey<?> key : keys) {
            entries.append(entry(key));
        }
        return Generate.withVersion(template, version)
                .replace(keysLine, entries);
    }

    /**
     * One tagged paragraph: the key in bold ("[restart]" after keys a reload does not apply), its
     * description, and its default on a line of its own.
     */
    static String entry(ConfigKey<?> key) {
        String restart = key.applies() == ConfigKey.Applies.ON_RESTART ? " \" [restart]\"" : "";
        return ".TP\n"
                + ".BR " + escape(key.name()) + restart + "\n"
                + text(key.doc()) + ".\n"
                + ".br\n"
                + "Default: " + escape(key.defaultText()) + ".\n";
    }

    /** Text for a roff text line: escaped, never taken for a request, without markdown's code quotes. */
    static String text(String s) {
        String escaped = escape(s.replace("`", ""));
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }

    /** Backslashes print as such; '-' is the ASCII minus an operator types, not a typographic hyphen. */
    static String escape(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }
}
