package org.directmilter.milter.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fenced code block of the administrator's guide (docs/guide), with the marks that say whether the
 * guide test runs it. The convention, also described in docs/guide/README.md:
 *
 * <pre>
 * ```sh {run}                      run it; it must exit 0
 * ```sh {run exit=2}               run it; it must exit 2
 * ```sh {run expect="PKIX"}        run it; it must exit 0 and print PKIX (stdout or stderr)
 * ```sh {norun="why not"}          an operator runs it, the test cannot (the reason is required)
 * </pre>
 *
 * Every block whose language is a shell ({@link #SHELLS}) must carry exactly one of {@code run} or
 * {@code norun}; any other block (text, conf, m4, ...) is something to read or paste into a file and
 * must carry no marks. {@link #parse} reports every violation with its file and line.
 */
record GuideBlock(Path file, int line, String language, Map<String, String> marks, String body) {

    /** Languages of command blocks: each must be marked run or norun. */
    static final List<String> SHELLS = List.of("sh", "bash", "shell", "console", "zsh");

    static final List<String> MARKS = List.of("run", "norun", "exit", "expect");
    private static final Pattern FENCE = Pattern.compile("^(\\s*)(```+|~~~+)\\s*([^`]*)$");
    private static final Pattern INFO = Pattern.compile("^([A-Za-z0-9_+-]*)\\s*(?:\\{(.*)\\})?\\s*$");
    private static final Pattern MARK = Pattern.compile("\\s*([a-z]+)(?:=(?:\"([^\"]*)\"|([^\\s\"]+)))?");

    GuideBlock {
        marks = Map.copyOf(marks);
    }

    boolean isCommand() {
        return SHELLS.contains(language);
    }

    boolean runs() {
        return marks.containsKey("run");
    }

    /** The exit status the block must end with. */
    int expectedExit() {
        return Integer.parseInt(marks.getOrDefault("exit", "0"));
    }

    /** Text the block's output must contain, if any. */
    Optional<String> expectedText() {
        return Optional.ofNullable(marks.get("expect"));
    }

    /** Where the block is, for messages: {@code docs/guide/02-x.md:41}. */
    String where() {
        return file.getFileName() + ":" + line;
    }

    /** The blocks of one chapter, and every violation of the marking convention in it. */
    record Parsed(List<GuideBlock> blocks, List<String> problems) {
    }

    static Parsed parse(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<GuideBlock> blocks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int start = i + 1;
            String indent = open.group(1);
            String fence = open.group(2);
            String info = open.group(3).strip();
            StringBuilder body = new StringBuilder();
            int j = i + 1;
            for (; j < lines.size(); j++) {
                String l = lines.get(j);
                if (l.strip().startsWith(fence) && l.strip().replace(fence.substring(0, 1), "").isEmpty()) {
                    break;
                }
                body.append(l.startsWith(indent) ? l.substring(indent.length()) : l.stripLeading()).append('\n');
            }
            if (j == lines.size()) {
                problems.add(file.getFileName() + ":" + start + ": code block is never closed");
            }
            i = j;
            String where = file.getFileName() + ":" + start;
            Matcher m = INFO.matcher(info);
            if (!m.matches()) {
                problems.add(where + ": cannot read the block's info string \"" + info + "\"");
                continue;
            }
            String language = m.group(1).toLowerCase(java.util.Locale.ROOT);
            Map<String, String> marks = marks(m.group(2), where, problems);
            GuideBlock block = new GuideBlock(file, start, language, marks, body.toString());
            check(block, where, problems);
            blocks.add(block);
        }
        return new Parsed(blocks, problems);
    }

    private static Map<String, String> marks(String text, String where, List<String> problems) {
        Map<String, String> marks = new LinkedHashMap<>();
        if (text == null) {
            return marks;
        }
        Matcher m = MARK.matcher(text);
        int at = 0;
        while (at < text.length() && m.find(at) && m.start() == at) {
            String name = m.group(1);
            String value = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : "";
            if (!MARKS.contains(name)) {
                problems.add(where + ": unknown mark \"" + name + "\" (known: " + MARKS + ")");
            }
            if (marks.put(name, value) != null) {
                problems.add(where + ": mark \"" + name + "\" given twice");
            }
            at = m.end();
        }
        if (!text.substring(at).isBlank()) {
            problems.add(where + ": cannot read the marks at \"" + text.substring(at).strip() + "\"");
        }
        return marks;
    }

    private static void check(GuideBlock b, String where, List<String> problems) {
        boolean run = b.marks.containsKey("run");
        boolean norun = b.marks.containsKey("norun");
        if (!b.isCommand()) {
            if (!b.marks.isEmpty()) {
                problems.add(where + ": only command blocks (" + SHELLS + ") take marks; this one is \""
                        + b.language + "\"");
            }
            return;
        }
        if (run == norun) {
            problems.add(where + ": a " + b.language + " block must be marked {run} or {norun=\"reason\"}");
            return;
        }
        if (run && !b.marks.get("run").isEmpty()) {
            problems.add(where + ": {run} takes no value");
        }
        if (norun && b.marks.get("norun").isBlank()) {
            problems.add(where + ": {norun} needs the reason the test cannot run it: norun=\"...\"");
        }
        if (norun && b.marks.size() > 1) {
            problems.add(where + ": a norun block takes no other marks");
        }
        if (b.marks.containsKey("exit") && !b.marks.get("exit").matches("\\d{1,3}")) {
            problems.add(where + ": exit=" + b.marks.get("exit") + " is not an exit status");
        }
        if (b.marks.containsKey("expect") && b.marks.get("expect").isEmpty()) {
            problems.add(where + ": expect needs the text to look for");
        }
        if (b.body.isBlank()) {
            problems.add(where + ": empty command block");
        }
    }
}
