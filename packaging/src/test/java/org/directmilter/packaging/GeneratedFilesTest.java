package org.directmilter.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.directmilter.milter.config.ConfigKey;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.ConfigLoader;
import org.directmilter.milter.config.ConfigResult;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.server.SocketSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files derived from the code: direct-milter.conf(5) and the key tables of docs/configuration.md from
 * the key registry, the packaged config, gzip.
 */
class GeneratedFilesTest {

    /** Given ({@code -Ddm.regenerate=true}), the stale-page test rewrites the page instead of failing. */
    private static final boolean REGENERATE = Boolean.getBoolean("dm.regenerate");

    @Test
    void configurationReferenceTablesAreTheKeyRegistrys() throws IOException {
        String page = Repo.read(ConfigurationPage.PAGE);
        String current = ConfigurationPage.render(page, ConfigKeys.all());
        if (REGENERATE && !current.equals(page)) {
            Files.writeString(Repo.path(ConfigurationPage.PAGE), current, StandardCharsets.UTF_8);
            page = current;
        }
        assertThat(page).as("%s is stale: run the command its introduction gives (-Ddm.regenerate=true)",
                ConfigurationPage.PAGE).isEqualTo(current);
    }

    @Test
    void configurationTablesListEveryKeyOnceWithTypeDefaultAppliesAndMeaning() {
        String page = ConfigurationPage.render(Repo.read(ConfigurationPage.PAGE), ConfigKeys.all());
        for (ConfigKey<?> key : ConfigKeys.all()) {
            String row = "| `" + key.name() + "` | ";
            assertThat(page.indexOf(row)).as("row of %s", key.name()).isPositive()
                    .isEqualTo(page.lastIndexOf(row));
        }
        assertThat(page).contains("| `On-Untrusted` | action: `reject`\\|`tempfail`\\|`quarantine` | `reject` | reload | ")
                .contains("| `Workers` | integer 1–4096 | number of CPUs | restart | ");
    }

    @Test
    void aPageWhoseMarkerNamesNoKeyIsRefused() {
        assertThatThrownBy(() -> ConfigurationPage.render("<!-- keys from Sockte x -->\n", ConfigKeys.all()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Sockte");
    }

    private static final String TEMPLATE = "packaging/man/direct-milter.conf.5.in";

    @Test
    void confManPageDescribesEveryKeyWithItsDefaultAndWhenItApplies() {
        String page = ConfManPage.render(Repo.read(TEMPLATE), ConfigKeys.all(), "9.8.7");
        String keys = page.substring(page.indexOf(".SH KEYS\n"), page.indexOf(".SH FILES\n"));

        assertThat(keys.split("\n\\.TP\n", -1)).as("one entry per key").hasSize(ConfigKeys.all().size() + 1);
        for (ConfigKey<?> key : ConfigKeys.all()) {
            String restart = key.applies() == ConfigKey.Applies.ON_RESTART ? " \" [restart]\"" : "";
            assertThat(keys).as("%s", key.name())
                    .contains(".TP\n.BR " + ConfManPage.escape(key.name()) + restart + "\n"
                            + ConfManPage.text(key.doc()) + ".\n.br\nDefault: "
                            + ConfManPage.escape(key.defaultText()) + ".\n");
        }
        assertThat(page).doesNotContain("@KEYS@", "@VERSION@").contains("\"direct-milter 9.8.7\"");
    }

    @Test
    void roffEscapesAreSingleBackslashes() {
        assertThat(ConfManPage.escape("end-of-message")).isEqualTo("end\\-of\\-message");
        assertThat(ConfManPage.escape("john\\.smith")).isEqualTo("john\\e.smith");
        assertThat(ConfManPage.text(".. and at most this long")).isEqualTo("\\&.. and at most this long");
        assertThat(ConfManPage.text("'quoted'")).startsWith("\\&'");

        String page = ConfManPage.render(Repo.read(TEMPLATE), ConfigKeys.all(), "1");
        assertThat(page).contains("end\\-of\\-message").doesNotContain("\\\\");
    }

    @Test
    void aTemplateWithoutTheKeysLineIsRefused() {
        assertThatThrownBy(() -> ConfManPage.render(".TH X 5 \"\" \"@VERSION@\"\n", ConfigKeys.all(), "1"))
                .hasMessageContaining("@KEYS@");
        assertThatThrownBy(() -> Generate.withVersion("no token", "1")).hasMessageContaining("@VERSION@");
    }

    @Test
    void packagedConfigPutsTheSocketInPostfixsChrootAndChangesNothingElse(@TempDir Path dir) throws IOException {
        String sample = Repo.read("etc/direct-milter.conf");
        String packaged = PackagedConfig.adapt(sample);
        Path file = dir.resolve("direct-milter.conf");
        Files.writeString(file, packaged);

        ConfigResult result = new ConfigLoader().load(file);
        assertThat(result).as("%s", result).isInstanceOf(ConfigResult.Valid.class);
        MilterConfig config = ((ConfigResult.Valid) result).config();
        assertThat(config.get(ConfigKeys.SOCKET)).isInstanceOf(SocketSpec.Local.class);
        assertThat(config.get(ConfigKeys.SOCKET).toString()).isEqualTo(PackagedConfig.SOCKET);
        assertThat(config.get(ConfigKeys.SOCKET_GROUP)).contains("postfix");
        assertThat(config.get(ConfigKeys.SOCKET_MODE).permissions()).isEqualTo(
                ConfigKeys.SOCKET_MODE.defaultValue().permissions());
        assertThat(config.get(ConfigKeys.DOMAINS)).as("the daemon refuses to start until Domains is set").isEmpty();

        List<String> before = sample.lines().toList();
        List<String> after = packaged.lines().toList();
        assertThat(after).hasSameSizeAs(before);
        int changed = 0;
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).equals(after.get(i))) {
                changed++;
                assertThat(after.get(i)).matches("(Socket|SocketGroup) +\\S+");
            }
        }
        assertThat(changed).isEqualTo(2);
    }

    @Test
    void packagedConfigNoticesASampleWithoutTheLinesItReplaces() {
        assertThatThrownBy(() -> PackagedConfig.adapt("# empty\n")).hasMessageContaining("Socket");
        String twice = "# x\nSocket                  inet:8891@127.0.0.1\n#SocketGroup            postfix\n"
                + "Socket                  inet:8891@127.0.0.1\n";
        assertThatThrownBy(() -> PackagedConfig.adapt(twice)).hasMessageContaining("exactly one");
    }

    @Test
    void gzipRoundTripsWithoutTimestampAndWithTheMaximumCompressionFlag() throws IOException {
        byte[] text = Repo.read("packaging/man/direct-milter.8").getBytes(StandardCharsets.UTF_8);
        byte[] gz = Gzip.compress(text);

        assertThat(gz[0] & 0xff).isEqualTo(0x1f);
        assertThat(gz[1] & 0xff).isEqualTo(0x8b);
        assertThat(new byte[] {gz[4], gz[5], gz[6], gz[7]}).as("MTIME").containsOnly(0);
        assertThat(gz[8]).as("XFL: maximum compression").isEqualTo((byte) 2);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertThat(in.readAllBytes()).isEqualTo(text);
        }
        assertThat(gz.length).isLessThan(text.length / 2);
    }
}
