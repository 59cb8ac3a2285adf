package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The guide's command reference (docs/guide/10-reference.md, "Commands and exit codes") is checked
 * against the commands themselves: one section per command, headed {@code ### `direct-milter NAME`},
 * with the command's one-line header and a table of exactly the exit codes its --help lists. On a
 * mismatch the failure shows the section as it should read.
 */
class CommandReferenceTest {

    private static final Pattern SECTION = Pattern.compile("^### `(direct-milter(?: [a-z-]+)?)`$");
    private static final Pattern ROW = Pattern.compile("^\\| (\\d+) \\| (.*) \\|$");

    @Test
    void everyCommandAndExitCodeIsInTheReference() throws IOException {
        Map<String, Section> documented = sections(reference());
        CommandLine root = DirectMilterCommand.commandLine(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()));
        Map<String, Section> expected = new LinkedHashMap<>();
        expected.put("direct-milter", section(root));
        root.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                expected.put("direct-milter " + name, section(sub));
            }
        });

        List<String> wrong = new ArrayList<>();
        expected.forEach((name, section) -> {
            if (!section.equals(documented.get(name))) {
                wrong.add(section.markdown(name));
            }
        });
        assertThat(wrong).as("sections of docs/guide/10-reference.md that should read").isEmpty();
        assertThat(documented.keySet()).as("commands documented in docs/guide/10-reference.md")
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
    }

    /** A command's header line and its exit codes, as the reference shows them. */
    private record Section(String header, Map<String, String> exits) {
        String markdown(String name) {
            StringBuilder md = new StringBuilder("### `" + name + "`\n\n" + header + "\n\n| exit | meaning |\n|---|---|\n");
            exits.forEach((code, meaning) -> md.append("| ").append(code).append(" | ").append(meaning).append(" |\n"));
            return md.toString();
        }
    }

    private static Section section(CommandLine command) {
        CommandLine.Model.UsageMessageSpec usage = command.getCommandSpec().usageMessage();
        Map<String, String> exits = new LinkedHashMap<>();
        usage.exitCodeList().forEach((code, meaning) -> exits.put(code.strip(), meaning.strip()));
        return new Section(String.join(" ", usage.header()).strip(), exits);
    }

    private static Map<String, Section> sections(String markdown) {
        Map<String, Section> out = new LinkedHashMap<>();
        String name = null;
        String header = null;
        Map<String, String> exits = null;
        for (String line : markdown.split("\n")) {
            Matcher heading = SECTION.matcher(line);
            if (heading.matches()) {
                if (name != null) {
                    out.put(name, new Section(header, exits));
                }
                name = heading.group(1);
                header = null;
                exits = new LinkedHashMap<>();
                continue;
            }
            if (name == null) {
                continue;
            }
            if (line.startsWith("#")) {
                out.put(name, new Section(header, exits));
                name = null;
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                exits.put(row.group(1), row.group(2));
            } else if (header == null && !line.isBlank() && !line.startsWith("|")) {
                header = line.strip();
            }
        }
        if (name != null) {
            out.put(name, new Section(header, exits));
        }
        return out;
    }

    private static String reference() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs/guide/10-reference.md");
            if (Files.isRegularFile(candidate)) {
                return Files.readString(candidate, StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("docs/guide/10-reference.md not found above " + Path.of("").toAbsolutePath());
    }
}
