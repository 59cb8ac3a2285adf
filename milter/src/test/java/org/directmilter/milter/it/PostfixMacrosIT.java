package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.directmilter.milter.session.Client;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.MacroRequests;
import org.directmilter.milter.session.Macros;
import org.directmilter.milter.session.Message;
import org.directmilter.milter.session.MessageHandler;
import org.directmilter.milter.session.Transaction;
import org.directmilter.milter.session.Verdict;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.RunningMilter;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The macros we ask for in option negotiation reach us from a real Postfix whose main.cf lists
 * none of them: the administrator needs no milter_*_macros edits.
 */
@Tag("integration")
class PostfixMacrosIT {

    /** Remembers what each stage saw, keyed "stage:macro". */
    static final class MacroRecorder implements MessageHandler {
        final Map<String, String> seen = new ConcurrentHashMap<>();

        private void keep(String stage, Macros macros, String... names) {
            for (String name : names) {
                macros.get(name).ifPresent(value -> seen.put(stage + ":" + name, value));
            }
        }

        /** The handler declares what it reads; the session asks Postfix for exactly that. */
        @Override
        public MacroRequests macros() {
            return MacroRequests.none().atConnect("{client_addr}", "{daemon_port}", "{daemon_name}", "j")
                    .atMail("{mail_addr}").atRecipient("{rcpt_addr}").atEndOfMessage("i");
        }

        @Override
        public Verdict connect(Client client, Macros macros) {
            keep("connect", macros, "{client_addr}", "{daemon_port}", "{daemon_name}", "j");
            return Verdict.CONTINUE;
        }

        @Override
        public Verdict mail(Transaction transaction) {
            keep("mail", transaction.macros(), "{mail_addr}");
            return Verdict.CONTINUE;
        }

        @Override
        public EndOfMessage endOfMessage(Message message) {
            keep("eom", message.transaction().macros(), "i", "{rcpt_addr}");
            return EndOfMessage.of(Verdict.ACCEPT);
        }
    }

    @Test
    void postfixSendsTheMacrosWeAskFor() {
        MacroRecorder recorder = new MacroRecorder();
        try (RunningMilter milter = new RunningMilter(recorder);
             PostfixInstance postfix = PostfixInstance.start(PostfixInstance.Options.milter(milter.postfixSocket())
                     // main.cf asks for nothing: whatever arrives is what we requested ourselves
                     .set("milter_connect_macros", "").set("milter_mail_macros", "").set("milter_rcpt_macros", "")
                     .set("milter_end_of_data_macros", "").set("milter_end_of_header_macros", ""))) {
            List<SmtpClient.Reply> replies = SmtpClient.send(postfix.smtpPort(), "alice@sender.test",
                    List.of("bob@recipient.test"), "Subject: macros\n\nbody\n");
            assertThat(replies.get(replies.size() - 1).code()).as("replies %s", replies).isEqualTo(250);
            postfix.awaitSinkMessages(1, Duration.ofSeconds(30));
        }
        assertThat(recorder.seen).containsEntry("connect:{client_addr}", "127.0.0.1")
                .containsKeys("connect:{daemon_port}", "connect:j")
                .containsEntry("mail:{mail_addr}", "alice@sender.test")
                .containsEntry("eom:{rcpt_addr}", "bob@recipient.test")
                .containsKey("eom:i");
    }
}
