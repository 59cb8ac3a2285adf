package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guide's marking convention, checked on every build (GuideIT runs the marked commands in the
 * integration phase): every command block is marked, every norun says why, and the reading order
 * covers every chapter once.
 */
class GuideMarkingTest {

    @Test
    void everyCommandBlockOfTheGuideIsMarked() {
        Guide guide = Guide.ofRepository();
        List<String> problems = new ArrayList<>();
        int commands = 0;
        for (Path chapter : guide.chapters()) {
            GuideBlock.Parsed parsed = GuideBlock.parse(chapter);
            problems.addAll(parsed.problems());
            commands += (int) parsed.blocks().stream().filter(GuideBlock::isCommand).count();
        }
        assertThat(problems).as("marking problems in docs/guide").isEmpty();
        assertThat(commands).as("command blocks in docs/guide").isGreaterThan(0);
    }

    @Test
    void theReadingOrderHasEveryChapterOnce() {
        Guide guide = Guide.ofRepository();
        assertThat(guide.chapters()).as("chapter files in docs/guide").hasSize(10);
        assertThat(guide.readingOrder()).as("the index's reading order")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(guide.chapters());
    }

    @Test
    void unmarkedAndReasonlessBlocksAreReportedWithTheirLine(@TempDir Path dir) throws IOException {
        Path chapter = dir.resolve("01-x.md");
        Files.writeString(chapter, String.join("\n",
                "# x",
                "```sh",
                "echo unmarked",
                "```",
                "```sh {norun=\"\"}",
                "echo no reason",
                "```",
                "```sh {run frobnicate}",
                "true",
                "```",
                "```text {run}",
                "output",
                "```",
                "- a list item:",
                "  ```bash {run exit=2 expect=\"RESULT: no\"}",
                "  direct-milter lookup x@y",
                "  ```",
                ""));

        GuideBlock.Parsed parsed = GuideBlock.parse(chapter);

        assertThat(parsed.problems()).containsExactly(
                "01-x.md:2: a sh block must be marked {run} or {norun=\"reason\"}",
                "01-x.md:5: {norun} needs the reason the test cannot run it: norun=\"...\"",
                "01-x.md:8: unknown mark \"frobnicate\" (known: " + GuideBlock.MARKS + ")",
                "01-x.md:11: only command blocks (" + GuideBlock.SHELLS + ") take marks; this one is \"text\"");
        GuideBlock listed = parsed.blocks().get(4);
        assertThat(listed.body()).isEqualTo("direct-milter lookup x@y\n");
        assertThat(listed.expectedExit()).isEqualTo(2);
        assertThat(listed.expectedText()).contains("RESULT: no");
        assertThat(listed.line()).isEqualTo(15);
    }
}
