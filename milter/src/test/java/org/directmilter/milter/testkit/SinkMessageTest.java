package org.directmilter.milter.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinkMessageTest {

    private static final String DUMP = """
            X-Client-Addr: 127.0.0.1
            X-Client-Proto: ESMTP
            X-Helo-Args: mta.milter-test.invalid
            X-Mail-Args: <alice@sender.test> SIZE=300
            X-Rcpt-Args: <bob@recipient.test> ORCPT=rfc822;bob@recipient.test
            X-Rcpt-Args: <carol@recipient.test>
            Received: from mta.milter-test.invalid ([127.0.0.1])
            \tby sink.milter-test.invalid (smtp-sink) with ESMTP id 662ef765;
            \tSat, 28 Nov 2026 23:02:42 +0000 (UTC)
            Received: from client (localhost [127.0.0.1])
            \tby mta.milter-test.invalid (Postfix) with ESMTP id 1
            Subject: s

            body
            """;

    @Test
    void splitsSinkLinesFromTheRelayedMessage() {
        SinkMessage message = new SinkMessage(Path.of("x"), DUMP.getBytes(StandardCharsets.UTF_8));

        assertThat(message.envelopeSender()).isEqualTo("<alice@sender.test>");
        assertThat(message.envelopeRecipients()).isEqualTo(List.of("<bob@recipient.test>", "<carol@recipient.test>"));
        assertThat(message.relayed()).isEqualTo("""
                Received: from client (localhost [127.0.0.1])
                \tby mta.milter-test.invalid (Postfix) with ESMTP id 1
                Subject: s

                body
                """);
        assertThat(message.original()).isEqualTo("Subject: s\n\nbody\n");
    }

    @Test
    void originalFailsWithoutAReceivedFieldOnTop() {
        SinkMessage message = new SinkMessage(Path.of("x"), "X-Mail-Args: <a@b>\nSubject: s\n\nbody\n"
                .getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(message::original).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no Received field");
    }
}
