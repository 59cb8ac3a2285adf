package org.directmilter.milter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.directmilter.milter.config.RepositoryFiles;
import org.junit.jupiter.api.Test;

/**
 * docs/smtp-replies.md must list every SMTP reply the milter's code can give. The replies are found in
 * the source of the milter module — every {@code new SmtpReply(CODE, "X.Y.Z", "text...} and
 * {@code SmtpReply.reject/tempfail("X.Y.Z", "text...} — so a reply added anywhere, not only in
 * {@link Replies}, must be documented; the page must show each as "CODE X.Y.Z" followed by the text's
 * constant beginning.
 */
class SmtpRepliesDocTest {

    private static final Pattern REPLY = Pattern.compile(
            "(?:new\\s+(?:[\\w.]+\\.)?SmtpReply\\(\\s*(\\d{3})\\s*,|SmtpReply\\.(reject|tempfail)\\()"
                    + "\\s*\"([245]\\.\\d{1,3}\\.\\d{1,3})\"\\s*,\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\")?");

    /** A reply as the code writes it: the code, the enhanced status, the constant start of the text. */
    record Written(String where, String code, String status, String textStart) {
        String documented() {
            return (code + " " + status + " " + textStart).strip();
        }
    }

    static List<Written> repliesInCode() throws IOException {
        Path sources = RepositoryFiles.find("milter/src/main/java/org/directmilter/milter/policy/Replies.java")
                .getParent().getParent(); // .../org/directmilter/milter
        List<Written> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                if (file.getFileName().toString().equals("SmtpReply.java")) {
                    continue; // the record itself: its factories take the status as a parameter
                }
                Matcher m = REPLY.matcher(Files.readString(file));
                while (m.find()) {
                    String code = m.group(1) != null ? m.group(1) : m.group(2).equals("reject") ? "550" : "451";
                    String text = m.group(4) == null ? "" : m.group(4).replace("\\\"", "\"");
                    found.add(new Written(sources.relativize(file) + ": " + m.group(), code, m.group(3), text));
                }
            }
        }
        return found;
    }

    @Test
    void everyReplyInTheCodeIsDocumented() throws IOException {
        String doc = Files.readString(RepositoryFiles.find("docs/smtp-replies.md"));
        List<String> missing = new ArrayList<>();
        for (Written reply : repliesInCode()) {
            if (!doc.contains(reply.documented())) {
                missing.add("\"" + reply.documented() + "\" (" + reply.where() + ")");
            }
        }
        assertThat(missing).as("replies the code gives that docs/smtp-replies.md does not show").isEmpty();
    }

    @Test
    void theScanFindsTheReplies() throws IOException {
        // Guards against a pattern that silently stops matching: Replies alone writes more than fifteen.
        List<Written> replies = repliesInCode();
        assertThat(replies).hasSizeGreaterThan(15);
        assertThat(replies).extracting(Written::documented)
                .contains("550 5.7.1 Direct: no certificate found for <", "451 4.4.3 Direct: certificate lookup for <",
                        "451 4.3.0 internal error in direct-milter; try again later");
    }

    @Test
    void theTempfailFormOfARefusalIsDocumented() {
        // What an On-* key set to tempfail answers instead of a 550 5.7.1.
        assertThat(Replies.temporary(Replies.noCertificate("bob@partner.example")).toString())
                .startsWith("451 4.7.1 Direct: no certificate found for <bob@partner.example>");
    }
}
