package org.directmilter.milter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.directmilter.milter.config.RepositoryFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md names only classes and packages that exist, and the layering it describes (each
 * package-info says the same) holds in the source: a rename or a stray import fails here, not in the
 * next contributor's head.
 */
class ArchitectureDocTest {

    /** A class name as the page writes it: {@code DirectHandler}, or a nested one, {@code DiscoveryResult.Found}. */
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Z][A-Za-z0-9]*(?:\\.[A-Z][A-Za-z0-9]*)*");
    private static final Pattern PACKAGE_NAME = Pattern.compile("org\\.directmilter(?:\\.[a-z]+)+");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(org\\.directmilter\\.[\\w.]+);", Pattern.MULTILINE);

    private static final String MILTER = "org.directmilter.milter.";

    /**
     * Main-code packages and the packages of ours they must not import (besides their own). A prefix
     * forbids the package and everything under it.
     */
    private static final Map<String, List<String>> FORBIDDEN = Map.ofEntries(
            Map.entry(MILTER + "protocol", List.of("org.directmilter.")),
            Map.entry(MILTER + "server", List.of("org.directmilter.")),
            // the one crypto package the session may use: the spool, a leaf that imports nothing of ours
            Map.entry(MILTER + "session", List.of("org.directmilter.crypto.keys", "org.directmilter.crypto.smime",
                    "org.directmilter.crypto.trust", "org.directmilter.resolver", MILTER + "policy",
                    MILTER + "config", MILTER + "daemon", MILTER + "cli", MILTER + "client", MILTER + "demo")),
            Map.entry(MILTER + "client", List.of("org.directmilter.crypto", "org.directmilter.resolver", MILTER + "session",
                    MILTER + "policy", MILTER + "config", MILTER + "daemon", MILTER + "cli", MILTER + "demo")),
            Map.entry(MILTER + "policy", List.of(MILTER + "protocol", MILTER + "server", MILTER + "daemon", MILTER + "cli",
                    MILTER + "client", MILTER + "demo")),
            Map.entry(MILTER + "config", List.of(MILTER + "session", MILTER + "policy", MILTER + "daemon", MILTER + "cli",
                    MILTER + "client", MILTER + "demo", MILTER + "protocol")),
            Map.entry(MILTER + "daemon", List.of(MILTER + "cli")),
            Map.entry(MILTER + "demo", List.of("org.directmilter.")),
            Map.entry(MILTER + "metrics", List.of("org.directmilter.")),
            Map.entry(MILTER + "tracking", List.of("org.directmilter.")),
            Map.entry("org.directmilter.crypto", List.of("org.directmilter.resolver", "org.directmilter.milter")),
            Map.entry("org.directmilter.resolver", List.of("org.directmilter.crypto", "org.directmilter.milter")));

    private static Path root;
    private static List<Path> sources;

    @BeforeAll
    static void readTheTree() throws IOException {
        root = RepositoryFiles.find("ARCHITECTURE.md").getParent();
        // each module's src/ only: target/ holds the integration tests' scratch trees, some not readable
        List<Path> all = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path src : modules.map(module -> module.resolve("src")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(src)) {
                    files.filter(f -> f.toString().endsWith(".java")).forEach(all::add);
                }
            }
        }
        sources = List.copyOf(all);
    }

    @Test
    void everyClassAndPackageTheDocumentNamesExists() throws IOException {
        String page = Files.readString(root.resolve("ARCHITECTURE.md"), StandardCharsets.UTF_8);
        Set<String> classes = new TreeSet<>();
        Set<String> packages = new TreeSet<>();
        Matcher m = BACKTICKED.matcher(page);
        while (m.find()) {
            String name = m.group(1);
            if (CLASS_NAME.matcher(name).matches()) {
                classes.add(name);
            } else if (PACKAGE_NAME.matcher(name).matches()) {
                packages.add(name);
            }
        }
        assertThat(classes).as("class names in ARCHITECTURE.md").hasSizeGreaterThan(50);

        List<String> missing = new ArrayList<>();
        classes.stream().filter(name -> !classExists(name)).forEach(missing::add);
        packages.stream().filter(name -> !packageExists(name)).forEach(missing::add);
        assertThat(missing).as("named in ARCHITECTURE.md but not found in any source tree of %s", root).isEmpty();
    }

    @Test
    void packagesImportOnlyWhatTheLayeringAllows() {
        List<String> violations = new ArrayList<>();
        for (Path file : sources) {
            String relative = root.relativize(file).toString();
            if (!relative.contains("/src/main/java/")) {
                continue;
            }
            String text = read(file);
            String own = packageOf(text);
            FORBIDDEN.forEach((layer, forbidden) -> {
                if (!own.equals(layer) && !own.startsWith(layer + ".")) {
                    return;
                }
                Matcher m = IMPORT.matcher(text);
                while (m.find()) {
                    String imported = m.group(1);
                    boolean sameLayer = imported.startsWith(layer + ".");
                    if (!sameLayer && forbidden.stream().anyMatch(imported::startsWith)) {
                        violations.add(relative + " imports " + imported);
                    }
                }
            });
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void onlyTheIntegrationTestsImportTheIntegrationPackage() {
        List<String> importers = sources.stream()
                .filter(file -> !file.getParent().endsWith(Path.of("org/directmilter/milter/it")))
                .filter(file -> Pattern.compile("^import (static )?org\\.directmilter\\.milter\\.it\\.", Pattern.MULTILINE)
                        .matcher(read(file)).find())
                .map(file -> root.relativize(file).toString())
                .toList();
        assertThat(importers).as("the shared fixtures belong in org.directmilter.milter.testkit").isEmpty();
    }

    private static boolean classExists(String name) {
        String[] parts = name.split("\\.");
        return sources.stream().filter(f -> f.getFileName().toString().equals(parts[0] + ".java"))
                .anyMatch(f -> {
                    String text = read(f);
                    for (int i = 1; i < parts.length; i++) {
                        if (!Pattern.compile("\\b(?:class|record|interface|enum) " + parts[i] + "\\b").matcher(text).find()) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    private static boolean packageExists(String name) {
        String path = "/" + name.replace('.', '/') + "/";
        return sources.stream().anyMatch(f -> f.toString().contains(path));
    }

    private static String packageOf(String text) {
        Matcher m = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE).matcher(text);
        return m.find() ? m.group(1) : "";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
