package org.directmilter.milter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is the configuration reference: it must list every key of {@link ConfigKeys}, in
 * order, with the default and the "applies" the code declares; and no chapter may name a key that does
 * not exist.
 */
class ConfigurationDocTest {

    static final String REFERENCE = "docs/configuration.md";

    /** The chapters whose key names are checked: the reference and the ones that tell which key to set. */
    static final List<String> CHAPTERS = List.of(REFERENCE, "docs/mta-configuration.md", "docs/smtp-replies.md");

    private static final String KEY_TABLE_HEADER = "| Key | Type | Default | Applies | Meaning |";

    /** Cells are split at '|' except where markdown escapes it ("naive\|escaped"). */
    private static final Pattern CELL_SEPARATOR = Pattern.compile("(?<!\\\\)\\|");

    private static final Pattern CODE_SPAN = Pattern.compile("`([^`\\n]+)`");

    /** A word written like a key: "On-Something", or CamelCase with an inner capital (SocketMode, DNSTimeout). */
    private static final Pattern KEY_LIKE = Pattern.compile(
            "On-[A-Za-z0-9]+|[A-Z][A-Za-z0-9]*(?:[a-z0-9][A-Z]|[A-Z]{2}[a-z])[A-Za-z0-9]*");

    /** Key-like words the chapters use that are not configuration keys. */
    private static final Set<String> NOT_KEYS = Set.of("PrivateTmp", "OpenDKIM", "OpenDMARC", "MilterSession",
            "ConfigKeys", "ConfigurationDocTest", "GeneratedFilesTest", "SmtpRepliesDocTest", "DaemonPortOptions", "InputMailFilters", "RunAsUser");

    /** One row of a key table: name, default and applies as written. */
    record Row(String name, String defaultText, String applies) {
    }

    static List<Row> documentedKeys() throws IOException {
        List<Row> rows = new ArrayList<>();
        boolean inKeyTable = false;
        for (String line : Files.readAllLines(RepositoryFiles.find(REFERENCE))) {
            String trimmed = line.strip();
            if (trimmed.equals(KEY_TABLE_HEADER)) {
                inKeyTable = true;
                continue;
            }
            if (!trimmed.startsWith("|")) {
                inKeyTable = false;
                continue;
            }
            if (!inKeyTable || trimmed.startsWith("|---")) {
                continue;
            }
            String[] cells = CELL_SEPARATOR.split(trimmed, -1);
            assertThat(cells).as("a key table row has five cells: %s", line).hasSize(7);
            rows.add(new Row(unquote(cells[1]), unquote(cells[3]), cells[4].strip()));
        }
        return rows;
    }

    private static String unquote(String cell) {
        return cell.strip().replace("`", "");
    }

    @Test
    void everyKeyIsDocumentedOnceInCodeOrder() throws IOException {
        List<String> documented = documentedKeys().stream().map(Row::name).toList();
        List<String> declared = ConfigKeys.all().stream().map(ConfigKey::name).toList();

        assertThat(documented).as("keys missing from %s", REFERENCE).containsAll(declared);
        assertThat(declared).as("keys in %s that the daemon does not know", REFERENCE).containsAll(documented);
        assertThat(documented).as("keys in %s, in the order of ConfigKeys.all(), each once", REFERENCE)
                .containsExactlyElementsOf(declared);
    }

    @Test
    void defaultsAndReloadBehaviourAreTheCodes() throws IOException {
        Map<String, Row> byName = new LinkedHashMap<>();
        documentedKeys().forEach(row -> byName.put(row.name(), row));
        for (ConfigKey<?> key : ConfigKeys.all()) {
            Row row = byName.get(key.name());
            assertThat(row).as("row for %s in %s", key.name(), REFERENCE).isNotNull();
            assertThat(row.defaultText()).as("documented default of %s", key.name()).isEqualTo(key.defaultText());
            String applies = key.applies() == ConfigKey.Applies.ON_RELOAD ? "reload" : "restart";
            assertThat(row.applies()).as("when a change of %s applies", key.name()).isEqualTo(applies);
        }
    }

    @Test
    void theKeyTablesAreFoundAtAll() throws IOException {
        // Guards the two tests above against a reworded table header that would make them vacuous.
        assertThat(documentedKeys()).hasSizeGreaterThanOrEqualTo(ConfigKeys.all().size());
    }

    @Test
    void chaptersNameOnlyKeysThatExist() throws IOException {
        Map<String, String> byLowerName = new LinkedHashMap<>();
        ConfigKeys.all().forEach(key -> byLowerName.put(key.name().toLowerCase(Locale.ROOT), key.name()));
        List<String> problems = new ArrayList<>();
        for (String chapter : CHAPTERS) {
            for (String word : keyPositions(Files.readString(RepositoryFiles.find(chapter)))) {
                String real = byLowerName.get(word.toLowerCase(Locale.ROOT));
                // An all-lower-case word is prose or an audit field ("keytransport"), not a misspelt key.
                if (real != null && !real.equals(word) && !word.equals(word.toLowerCase(Locale.ROOT))) {
                    problems.add(chapter + ": \"" + word + "\" is spelt \"" + real + "\"");
                } else if (real == null && KEY_LIKE.matcher(word).matches() && !NOT_KEYS.contains(word)) {
                    problems.add(chapter + ": \"" + word + "\" is not a configuration key");
                }
            }
        }
        assertThat(problems).as("names that look like keys but are not (add real non-keys to NOT_KEYS)").isEmpty();
    }

    /** The first word of every inline code span and of every line in a fenced block: where keys are written. */
    static List<String> keyPositions(String markdown) {
        List<String> words = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                firstWord(line).ifPresent(words::add);
                continue;
            }
            Matcher m = CODE_SPAN.matcher(line);
            while (m.find()) {
                firstWord(m.group(1)).ifPresent(words::add);
            }
        }
        return words;
    }

    private static java.util.Optional<String> firstWord(String text) {
        String[] parts = text.strip().split("\\s+", 2);
        String word = parts[0].replaceAll("^#+", "").replaceAll("[:,.;]+$", "");
        return word.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(word);
    }
}
