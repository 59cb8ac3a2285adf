package org.directmilter.milter.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SmtpClientTest {

    @Test
    void dotStuffingAndLineEnds() {
        assertThat(stuffed("a\n.b\r\n..c\nd")).isEqualTo("a\r\n..b\r\n...c\r\nd\r\n");
        assertThat(stuffed(".\n")).isEqualTo("..\r\n");
        assertThat(stuffed("")).isEmpty();
    }

    @Test
    void replyText() {
        SmtpClient.Reply reply = new SmtpClient.Reply(250, java.util.List.of("250-first", "250 2.0.0 Ok"));
        assertThat(reply.text()).isEqualTo("first\n2.0.0 Ok");
        assertThat(reply.last()).isEqualTo("250 2.0.0 Ok");
        assertThat(reply.positive()).isTrue();
        assertThat(new SmtpClient.Reply(451, java.util.List.of("451 4.3.2 later")).positive()).isFalse();
    }

    private static String stuffed(String message) {
        return new String(SmtpClient.dotStuffed(message.getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII);
    }
}
