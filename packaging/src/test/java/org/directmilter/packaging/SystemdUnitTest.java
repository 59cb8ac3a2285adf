package org.directmilter.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The unit reader the installed-package test starts the daemon with, and the shipped unit's shape. */
class SystemdUnitTest {

    @Test
    void readsServiceKeysAcrossContinuationLinesAndIgnoresOtherSections() {
        SystemdUnit unit = SystemdUnit.parse("""
                [Unit]
                Description=x
                # comment
                [Service]
                ExecStart=/bin/a \\
                    b c
                ; another comment
                Environment=A=1 "B=two words"
                Environment=C=3
                [Install]
                WantedBy=multi-user.target
                """);
        assertThat(unit.value("ExecStart")).isEqualTo("/bin/a  b c");
        assertThat(unit.values("Environment")).hasSize(2);
        assertThat(unit.values("Description")).isEmpty();
        assertThat(unit.values("WantedBy")).isEmpty();
    }

    @Test
    void environmentFilesOverrideEnvironmentAndMissingOptionalFilesAreSkipped() {
        SystemdUnit unit = SystemdUnit.parse("""
                [Service]
                EnvironmentFile=-/etc/default/x
                Environment=JAVA_HOME=/a OTHER=keep
                EnvironmentFile=-/etc/sysconfig/x
                """);
        Map<String, String> files = Map.of("/etc/default/x", "# c\nJAVA_HOME=/b\nJAVA_OPTS=\"-Xmx1m -Dy=z\"\n");
        assertThat(unit.environment(files::get)).containsExactlyInAnyOrderEntriesOf(
                Map.of("JAVA_HOME", "/b", "OTHER", "keep", "JAVA_OPTS", "-Xmx1m -Dy=z"));
        SystemdUnit required = SystemdUnit.parse("[Service]\nEnvironmentFile=/etc/none\n");
        assertThatThrownBy(() -> required.environment(path -> null)).hasMessageContaining("/etc/none");
    }

    @Test
    void expandsVariablesAsSystemdDoes() {
        Map<String, String> env = Map.of("HOME_DIR", "/usr/lib/jvm/x", "OPTS", " -Xmx1m  -Da=b ", "EMPTY", "");
        assertThat(SystemdUnit.command("/usr/bin/j -home ${HOME_DIR} -x pre${HOME_DIR}post $OPTS $EMPTY $UNSET"
                + " -outfile &1 -cp /lib/* '$$' \"a b\"", env)).containsExactly(
                "/usr/bin/j", "-home", "/usr/lib/jvm/x", "-x", "pre/usr/lib/jvm/xpost", "-Xmx1m", "-Da=b",
                "-outfile", "&1", "-cp", "/lib/*", "$", "a b");
        assertThatThrownBy(() -> SystemdUnit.command("-/bin/x", env)).hasMessageContaining("prefix");
        assertThatThrownBy(() -> SystemdUnit.command("/bin/x %i", env)).hasMessageContaining("specifier");
        assertThatThrownBy(() -> SystemdUnit.command("/bin/x a$OPTS", env)).hasMessageContaining("unbraced");
        assertThatThrownBy(() -> SystemdUnit.words("a \"b")).hasMessageContaining("quote");
    }

    @Test
    void theShippedUnitRunsJsvcAsTheServiceUserWithItsOutputInTheJournal() {
        SystemdUnit unit = SystemdUnit.parse(Repo.read("systemd/direct-milter.service"));
        assertThat(unit.value("Type")).isEqualTo("simple");
        List<String> argv = SystemdUnit.command(unit.value("ExecStart"), Map.of("JAVA_HOME", "/j", "JAVA_OPTS", "-Xmx8m"));
        assertThat(argv.get(0)).as("jsvc must be called by its absolute path").isEqualTo("/usr/bin/jsvc");
        assertThat(String.join(" ", argv)).contains("-nodetach", "-home /j", "-user direct-milter", "-umask 007",
                "-pidfile /run/direct-milter/jsvc.pid", "-outfile &1 -errfile &2", "-cp /usr/share/direct-milter/lib/*",
                "-Xmx8m org.directmilter.milter.daemon.DirectMilterDaemon -c /etc/direct-milter/direct-milter.conf");
        assertThat(SystemdUnit.command(unit.value("ExecReload"), Map.of("MAINPID", "42")))
                .as("the shell's built-in kill: /bin/kill (procps) is missing on a minimal system")
                .containsExactly("/bin/sh", "-c", "kill -USR2 42");
        assertThat(unit.values("ReadWritePaths").get(0)).contains("/run/direct-milter", "-/var/spool/postfix/direct-milter");
        assertThat(unit.value("ProtectSystem")).isEqualTo("strict");
        assertThat(unit.value("NoNewPrivileges")).isEqualTo("yes");
    }
}
