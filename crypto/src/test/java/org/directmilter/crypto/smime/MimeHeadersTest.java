package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The header block as read: fields, folding, line ends, limits, and where the body starts. */
class MimeHeadersTest {

    @Test
    void readsFieldsUpToTheEmptyLineAndCountsItsBytes() throws Exception {
        String block = "From: a@example.org\r\nSubject:no space\r\nX-Empty:\r\n\r\n";
        InputStream in = stream(block + "body");
        MimeHeaders headers = MimeHeaders.read(in);
        assertThat(headers.fields()).containsExactly(new MimeHeaderField("From", "a@example.org"),
                new MimeHeaderField("Subject", "no space"), new MimeHeaderField("X-Empty", ""));
        assertThat(headers.length()).isEqualTo(block.length());
        assertThat(headers.raw()).isEqualTo(block.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("body");
    }

    @Test
    void keepsFoldingAsCrlfWhateverTheLineEndsWere() throws Exception {
        MimeHeaders headers = MimeHeaders.read(stream(
                "A: one\r\n two\r\n\tthree\r\nB: bare\n lf\r\n crlf\nC: cr\r\r\n next\n\n"));
        assertThat(headers.fields()).containsExactly(new MimeHeaderField("A", "one\r\n two\r\n\tthree"),
                new MimeHeaderField("B", "bare\r\n lf\r\n crlf"), new MimeHeaderField("C", "cr\r\r\n next"));
        assertThat(headers.first("b").orElseThrow().unfolded()).isEqualTo("bare lf crlf");
    }

    @Test
    void aBlockWithoutItsEmptyLineIsTheFieldsSeen() throws Exception {
        MimeHeaders headers = MimeHeaders.read(stream("A: 1\r\nB: 2"));
        assertThat(headers.fields()).extracting(MimeHeaderField::name).containsExactly("A", "B");
        assertThat(headers.length()).isEqualTo(10);
        assertThat(MimeHeaders.read(stream("")).fields()).isEmpty();
    }

    @Test
    void refusesWhatIsNotAHeaderBlock() {
        assertThatThrownBy(() -> MimeHeaders.read(stream(" folded: first\r\n\r\n")))
                .isInstanceOf(MimeHeaders.MalformedException.class).hasMessageContaining("continuation");
        assertThatThrownBy(() -> MimeHeaders.read(stream("no colon\r\n\r\n")))
                .isInstanceOf(MimeHeaders.MalformedException.class).hasMessageContaining("not a header field");
        assertThatThrownBy(() -> MimeHeaders.read(stream(": no name\r\n\r\n")))
                .isInstanceOf(MimeHeaders.MalformedException.class).hasMessageContaining("not a header field");
        assertThatThrownBy(() -> MimeHeaders.read(stream("Bad Name: x\r\n\r\n")))
                .isInstanceOf(MimeHeaders.MalformedException.class).hasMessageContaining("field name");
    }

    @Test
    void refusesABlockLargerThanTheLimitButNotOneAtIt() throws Exception {
        byte[] exact = block(MimeHeaders.MAX_HEADER_BYTES);
        assertThat(MimeHeaders.read(new ByteArrayInputStream(exact)).length()).isEqualTo(MimeHeaders.MAX_HEADER_BYTES);
        byte[] over = block(MimeHeaders.MAX_HEADER_BYTES + 1);
        assertThatThrownBy(() -> MimeHeaders.read(new ByteArrayInputStream(over)))
                .isInstanceOf(MimeHeaders.MalformedException.class).hasMessageContaining("larger than 1 MiB");
    }

    /** A header block of exactly {@code size} bytes: one long field, then the empty line. */
    private static byte[] block(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        System.arraycopy("X: ".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 3);
        bytes[size - 4] = '\r';
        bytes[size - 3] = '\n';
        bytes[size - 2] = '\r';
        bytes[size - 1] = '\n';
        return bytes;
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void boundsWhatTheBodyDecodesTo() throws IOException, MimeHeaders.MalformedException {
        assertThat(MimeHeaders.read(stream("Content-Transfer-Encoding: BASE64\r\n\r\n")).decodedSizeBound(100))
                .isEqualTo(78);
        assertThat(MimeHeaders.read(stream("Content-Type: text/plain\r\n\r\n")).decodedSizeBound(100)).isEqualTo(100);
    }
}
