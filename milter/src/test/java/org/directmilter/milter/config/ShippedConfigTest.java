package org.directmilter.milter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The sample shipped as /etc/direct-milter/direct-milter.conf must parse and document every key. */
class ShippedConfigTest {

    static Path shippedConfig() {
        return RepositoryFiles.find("etc/direct-milter.conf");
    }

    @Test
    void shippedSampleParses() {
        ConfigResult result = new ConfigLoader().load(shippedConfig());
        assertThat(result).as("%s", result).isInstanceOf(ConfigResult.Valid.class);
    }

    @Test
    void shippedSampleDocumentsEveryKeyWithItsDefault() throws IOException {
        String text = Files.readString(shippedConfig());
        for (ConfigKey<?> key : ConfigKeys.all()) {
            // A "# Key ..." description line and a "Key value" example line, commented out or not.
            assertThat(text).as("description of %s", key.name())
                    .containsPattern("(?m)^# " + Pattern.quote(key.name()) + " ");
            assertThat(text).as("example line for %s", key.name())
                    .containsPattern("(?m)^#?" + Pattern.quote(key.name()) + "\\s+\\S");
            if (!key.defaultText().equals("number of CPUs") && !key.defaultText().equals("java.io.tmpdir")) {
                assertThat(text).as("default of %s", key.name()).contains("Default: " + key.defaultText());
            }
        }
    }
}
