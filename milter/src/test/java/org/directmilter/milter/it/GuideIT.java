package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.directmilter.milter.testkit.Exec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * The administrator's guide, followed as written: every {@code {run}} block of docs/guide, chapter by
 * chapter in the index's reading order, in one {@link GuideLab} — real BIND, real Postfix, the daemon
 * under test, openssl, swaks. A block that ends with another exit status than its mark says, or whose
 * output lacks its {@code expect} text, fails its chapter with the file, line, block and output; the
 * chapters after it are then skipped, since each builds on the ones before.
 */
@Tag("integration")
class GuideIT {

    private static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(120);

    private static GuideLab lab;
    private static String failedChapter;
    private static boolean stopped;
    private static final List<String> timings = new ArrayList<>();

    @TestFactory
    Stream<DynamicTest> theGuideAsWritten() {
        Guide guide = Guide.ofRepository();
        assertThat(guide.readingOrder()).as("reading order in docs/guide/README.md").isNotEmpty();
        return guide.readingOrder().stream()
                .map(chapter -> DynamicTest.dynamicTest(chapter.getFileName().toString(), () -> follow(guide, chapter)));
    }

    private static void follow(Guide guide, Path chapter) {
        Assumptions.assumeTrue(failedChapter == null, () -> "skipped: " + failedChapter + " failed before it");
        String upTo = System.getProperty("dm.guide.upTo", "");
        if (chapter.getFileName().toString().equals(upTo)) {
            stopped = true;
        }
        if (stopped && lab == null) {
            lab = GuideLab.start(guide.repository());
        }
        Assumptions.assumeFalse(stopped, () -> "skipped: -Ddm.guide.upTo=" + upTo);
        GuideBlock.Parsed parsed = GuideBlock.parse(chapter);
        assertThat(parsed.problems()).as("marking problems").isEmpty();
        if (lab == null) {
            lab = GuideLab.start(guide.repository());
        }
        long started = System.nanoTime();
        int ran = 0;
        int skipped = 0;
        try {
            for (GuideBlock block : parsed.blocks()) {
                if (!block.isCommand()) {
                    continue;
                }
                if (!block.runs()) {
                    skipped++;
                    continue;
                }
                runBlock(block);
                ran++;
            }
        } catch (RuntimeException | AssertionError e) {
            failedChapter = chapter.getFileName().toString();
            throw e;
        }
        String line = String.format(Locale.ROOT, "%-36s %3d blocks run, %2d not run, %5.1f s",
                chapter.getFileName(), ran, skipped, (System.nanoTime() - started) / 1e9);
        timings.add(line);
    }

    private static void runBlock(GuideBlock block) {
        Exec.Result result;
        try {
            result = lab.run(block.body(), BLOCK_TIMEOUT);
        } catch (IllegalStateException e) {
            throw new AssertionError("docs/guide/" + block.where() + ": " + e.getMessage() + "\n" + lab.diagnostics(), e);
        }
        lab.transcript(block.where(), block.body(), result);
        String problem = null;
        if (result.exitCode() != block.expectedExit()) {
            problem = "exit status " + result.exitCode() + ", the guide expects " + block.expectedExit();
        } else if (block.expectedText().isPresent() && !result.output().contains(block.expectedText().get())) {
            problem = "the output lacks \"" + block.expectedText().get() + "\"";
        }
        if (problem != null) {
            throw new AssertionError("docs/guide/" + block.where() + ": " + problem + "\n"
                    + "---- block ----\n" + block.body()
                    + "---- output ----\n" + result.output()
                    + "\n---- lab in " + lab.root() + " ----\n" + lab.diagnostics());
        }
    }

    @AfterAll
    static void stopLab() {
        if (lab != null && Boolean.getBoolean("dm.guide.keep")) {
            System.out.println("guide: the lab is still running: " + lab.keep());
        } else if (lab != null) {
            lab.close();
            lab = null;
        }
        timings.forEach(t -> System.out.println("guide: " + t));
    }
}
