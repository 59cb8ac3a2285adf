package org.directmilter.milter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.directmilter.milter.session.HeaderField;
import org.junit.jupiter.api.Test;

class HeaderBlockTest {

    private static List<String> read(String block) throws IOException {
        byte[] bytes = block.getBytes(StandardCharsets.ISO_8859_1);
        return HeaderBlock.read(new ByteArrayInputStream(bytes), bytes.length).stream()
                .map(f -> f.name() + ":" + new String(f.value(), StandardCharsets.ISO_8859_1)).toList();
    }

    @Test
    void keepsTheValueAfterTheColonExactly() throws IOException {
        assertThat(read("From:x@a.example\r\nTo:  y@b.example\r\nX-Empty:\r\nSubject:\tz\r\n\r\n"))
                .containsExactly("From:x@a.example", "To:  y@b.example", "X-Empty:", "Subject:\tz");
    }

    @Test
    void keepsFoldsAsCrlfWhateverTheLineEnds() throws IOException {
        assertThat(read("X-A: one\r\n\ttwo\r\nX-B: three\n four\n\n"))
                .containsExactly("X-A: one\r\n\ttwo", "X-B: three\r\n four");
    }

    @Test
    void readsOnlyTheGivenLengthAndStopsAtTheEmptyLine() throws IOException {
        byte[] message = "A: 1\r\nB: 2\r\n\r\nBody: not a field\r\n".getBytes(StandardCharsets.US_ASCII);
        List<HeaderField> fields = HeaderBlock.read(new ByteArrayInputStream(message), message.length);
        assertThat(fields).extracting(HeaderField::name).containsExactly("A", "B");
    }

    @Test
    void aBlockWithoutFinalLineBreakStillYieldsItsLastField() throws IOException {
        assertThat(read("A: 1\r\nB: 2")).containsExactly("A: 1", "B: 2");
    }
}
