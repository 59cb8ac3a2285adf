package org.directmilter.milter.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The administrator's guide as the tests see it: docs/guide/README.md and its chapter files
 * ({@code NN-name.md}), in the order of the index's "Reading order" list — the order a new operator is
 * told to follow, and the order the guide test runs them in.
 */
record Guide(Path directory, List<Path> chapters, List<Path> readingOrder) {

    static final String INDEX = "README.md";
    private static final Pattern CHAPTER_FILE = Pattern.compile("\\d\\d-[a-z0-9-]+\\.md");
    private static final Pattern LINK = Pattern.compile("\\]\\((\\d\\d-[a-z0-9-]+\\.md)\\)");

    /** The guide of the repository this test runs in. */
    static Guide ofRepository() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs/guide").resolve(INDEX);
            if (Files.isRegularFile(candidate)) {
                return load(candidate.getParent());
            }
        }
        throw new AssertionError("docs/guide/" + INDEX + " not found above " + Path.of("").toAbsolutePath());
    }

    static Guide load(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> chapters = files.filter(p -> CHAPTER_FILE.matcher(p.getFileName().toString()).matches())
                    .sorted().toList();
            return new Guide(directory, chapters, readingOrder(directory.resolve(INDEX)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's root (the parent of docs/). */
    Path repository() {
        return directory.getParent().getParent();
    }

    /** The chapter links of the index's "## Reading order" section, in order. */
    private static List<Path> readingOrder(Path index) throws IOException {
        List<Path> order = new ArrayList<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                inSection = line.strip().equalsIgnoreCase("## Reading order");
                continue;
            }
            if (inSection && line.matches("\\s*\\d+\\.\\s.*")) {
                Matcher m = LINK.matcher(line);
                if (m.find()) {
                    order.add(index.getParent().resolve(m.group(1)));
                }
            }
        }
        return order;
    }
}
