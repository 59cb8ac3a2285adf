package org.directmilter.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.regex.Pattern;
import org.directmilter.milter.cli.DirectMilterCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** direct-milter(8) is written by hand; this keeps it in step with the command line it describes. */
class CommandManPageTest {

    /** The page as text: roff's "\-" is the "-" an operator types. */
    private static final String PAGE = Repo.read("packaging/man/direct-milter.8").replace("\\-", "-");

    @Test
    void everyCommandAndOptionIsDescribed() {
        CommandSpec top = new CommandLine(new DirectMilterCommand()).getCommandSpec();
        assertThat(top.subcommands()).isNotEmpty();
        top.subcommands().forEach((name, sub) -> {
            assertThat(PAGE).as("command %s", name)
                    .containsPattern(Pattern.compile("^\\.BR " + Pattern.quote(name) + "( |$)", Pattern.MULTILINE));
            for (OptionSpec option : sub.getCommandSpec().options()) {
                String longest = option.names()[0];
                for (String n : option.names()) {
                    longest = Comparator.comparingInt(String::length).compare(n, longest) > 0 ? n : longest;
                }
                assertThat(PAGE).as("option %s of %s", longest, name).contains(longest);
            }
        });
        for (OptionSpec option : top.options()) {
            for (String n : option.names()) {
                assertThat(PAGE).as("option %s", n).contains(n);
            }
        }
    }

    @Test
    void theServiceSectionNamesTheJsvcEntryPoint() {
        assertThat(PAGE).contains("org.directmilter.milter.daemon.DirectMilterDaemon",
                "/usr/bin/jsvc -nodetach -user direct-milter", "SIGUSR2", "unix:direct-milter/direct-milter.sock");
    }
}
