package org.directmilter.milter.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.directmilter.milter.config.ConfigLoader;
import org.directmilter.milter.config.ConfigResult;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.resolver.ldap.LdapSettings;
import org.junit.jupiter.api.Test;

/** The LDAP keys reach the resolver's settings, and their documented defaults are the resolver's own. */
class AssemblyLdapTest {

    private static MilterConfig parse(String text) {
        ConfigResult result = new ConfigLoader().parse(Path.of("test.conf"), text);
        assertThat(result).isInstanceOf(ConfigResult.Valid.class);
        return ((ConfigResult.Valid) result).config();
    }

    @Test
    void defaultsAreTheResolversDefaults() {
        LdapSettings ldap = Assembly.resolverSettings(parse("Domains a.example\n")).ldap();

        assertThat(ldap).isEqualTo(LdapSettings.DEFAULTS);
        assertThat(Assembly.defaultResolverSettings().ldap()).isEqualTo(ldap);
        assertThat(ldap.enabled()).isTrue();
    }

    @Test
    void everyLdapKeyIsRead() {
        LdapSettings ldap = Assembly.resolverSettings(parse("Domains a.example\nLDAPDiscovery no\nLDAPTimeout 3s\n"
                + "LDAPCacheTTL 2h\nLDAPNegativeCacheTTL 30s\n")).ldap();

        assertThat(ldap).isEqualTo(new LdapSettings(false, Duration.ofSeconds(3), Duration.ofHours(2),
                Duration.ofSeconds(30), LdapSettings.DEFAULTS.maxEntries()));
    }
}
