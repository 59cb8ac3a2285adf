package org.directmilter.milter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.directmilter.milter.server.SocketSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final Path FILE = Path.of("/etc/direct-milter/direct-milter.conf");

    private final ConfigLoader loader = new ConfigLoader();

    private MilterConfig valid(String text) {
        ConfigResult result = loader.parse(FILE, text);
        assertThat(result).as("errors: %s", result).isInstanceOf(ConfigResult.Valid.class);
        return ((ConfigResult.Valid) result).config();
    }

    private List<String> errors(String text) {
        ConfigResult result = loader.parse(FILE, text);
        assertThat(result).isInstanceOf(ConfigResult.Invalid.class);
        return ((ConfigResult.Invalid) result).errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void emptyFileGivesEveryDefault() {
        MilterConfig config = valid("");
        assertThat(config.get(ConfigKeys.SOCKET)).isEqualTo(SocketSpec.parse("inet:8891@127.0.0.1"));
        assertThat(config.get(ConfigKeys.SOCKET_MODE).permissions())
                .isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
        assertThat(config.get(ConfigKeys.SOCKET_GROUP)).isEmpty();
        assertThat(config.get(ConfigKeys.MAX_CONNECTIONS)).isEqualTo(256);
        assertThat(config.get(ConfigKeys.IDLE_TIMEOUT)).isEqualTo(Duration.ofSeconds(600));
        assertThat(config.get(ConfigKeys.READ_TIMEOUT)).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.get(ConfigKeys.WORKERS)).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.get(ConfigKeys.PROGRESS_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.get(ConfigKeys.END_OF_MESSAGE_TIMEOUT)).isEqualTo(Duration.ofSeconds(240));
        assertThat(config.get(ConfigKeys.SPOOL_THRESHOLD)).isEqualTo(1L << 20);
        assertThat(config.get(ConfigKeys.TEMPORARY_DIRECTORY)).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
        assertThat(config.get(ConfigKeys.MAX_FRAME_SIZE)).isEqualTo(1L << 20);
        assertThat(config.get(ConfigKeys.DOMAINS)).isEmpty();
        assertThat(config.get(ConfigKeys.NAMESERVERS)).isEmpty();
        assertThat(config.get(ConfigKeys.INTERNAL_HOSTS)).extracting(Cidr::toString)
                .containsExactly("127.0.0.0/8", "::1/128");
        assertThat(config.get(ConfigKeys.SUBMISSION_DAEMONS)).isEmpty();
        assertThat(config.get(ConfigKeys.ON_DNS_ERROR)).isEqualTo(FailureAction.TEMPFAIL);
        assertThat(config.lineOf(ConfigKeys.SOCKET)).isEmpty();
    }

    @Test
    void readsKeysCaseInsensitivelyWithCommentsAndBlankLines() {
        MilterConfig config = valid("""
                # a comment line
                   # an indented comment

                socket      local:/run/direct-milter/dm.sock   # trailing comment
                SOCKETMODE\t0600
                SocketGroup postfix\t\s
                Domains     HISP.Example.org., direct.example.com,hisp.example.org
                SubmissionDaemons submission,ORIGINATING
                """);
        assertThat(config.get(ConfigKeys.SOCKET)).isEqualTo(SocketSpec.parse("local:/run/direct-milter/dm.sock"));
        assertThat(config.get(ConfigKeys.SOCKET_MODE)).hasToString("0600");
        assertThat(config.get(ConfigKeys.SOCKET_GROUP)).contains("postfix");
        assertThat(config.get(ConfigKeys.DOMAINS)).containsExactly("hisp.example.org", "direct.example.com");
        assertThat(config.get(ConfigKeys.SUBMISSION_DAEMONS)).containsExactly("submission", "ORIGINATING");
        assertThat(config.lineOf(ConfigKeys.SOCKET)).hasValue(4);
        assertThat(config.source()).isEqualTo(FILE);
    }

    @Test
    void hashInsideAValueIsNotAComment() {
        MilterConfig config = valid("KeyStore /etc/keys#1 # but this is\n");
        assertThat(config.get(ConfigKeys.KEY_STORE)).isEqualTo(Path.of("/etc/keys#1"));
    }

    @Test
    void unknownKeyNamesFileLineAndSuggestsTheNearestKey() {
        assertThat(errors("\n\nSockte inet:1@127.0.0.1\n"))
                .containsExactly(FILE + ":3: unknown key \"Sockte\" (did you mean \"Socket\"?)");
        assertThat(errors("idletimout 5m")).containsExactly(
                FILE + ":1: unknown key \"idletimout\" (did you mean \"IdleTimeout\"?)");
        assertThat(errors("Frobnicate yes")).containsExactly(FILE + ":1: unknown key \"Frobnicate\"");
    }

    @Test
    void duplicateKeysAreErrorsEvenInAnotherCase() {
        assertThat(errors("Workers 2\nworkers 3\n"))
                .containsExactly(FILE + ":2: duplicate key \"Workers\" (already set on line 1)");
    }

    @Test
    void missingValueIsAnError() {
        assertThat(errors("Socket\nSocketGroup   # nothing\n")).containsExactly(
                FILE + ":1: missing value for \"Socket\"",
                FILE + ":2: missing value for \"SocketGroup\"");
    }

    @Test
    void collectsEveryErrorInFileOrder() {
        List<String> errors = errors("""
                Sockte inet:1@x
                SocketMode 0999
                MaxConnections 0
                IdleTimeout 5x
                Domains a..b
                Workers 2
                Workers 3
                """);
        assertThat(errors).hasSize(6);
        assertThat(errors.get(0)).startsWith(FILE + ":1: unknown key");
        assertThat(errors.get(1)).isEqualTo(FILE + ":2: bad value for \"SocketMode\": \"0999\" is not an octal "
                + "permission mode like 0660 (only the rwx bits, 0000-0777)");
        assertThat(errors.get(2)).isEqualTo(FILE + ":3: bad value for \"MaxConnections\": \"0\" is not a whole "
                + "number from 1 to 100000");
        assertThat(errors.get(3)).startsWith(FILE + ":4: bad value for \"IdleTimeout\": \"5x\"");
        assertThat(errors.get(4)).startsWith(FILE + ":5: bad value for \"Domains\": \"a..b\" is not a domain name");
        assertThat(errors.get(5)).startsWith(FILE + ":7: duplicate key");
    }

    @Test
    void socketErrorsCarryTheServerParsersReason() {
        assertThat(errors("Socket inet:99999@127.0.0.1")).singleElement().asString()
                .startsWith(FILE + ":1: bad value for \"Socket\": ")
                .contains("99999");
    }

    @Test
    void durations() {
        assertThat(valid("IdleTimeout 30").get(ConfigKeys.IDLE_TIMEOUT)).isEqualTo(Duration.ofSeconds(30));
        assertThat(valid("IdleTimeout 30s").get(ConfigKeys.IDLE_TIMEOUT)).isEqualTo(Duration.ofSeconds(30));
        assertThat(valid("IdleTimeout 5m").get(ConfigKeys.IDLE_TIMEOUT)).isEqualTo(Duration.ofMinutes(5));
        assertThat(valid("IdleTimeout 1h").get(ConfigKeys.IDLE_TIMEOUT)).isEqualTo(Duration.ofHours(1));
        assertThat(valid("IdleTimeout 2H").get(ConfigKeys.IDLE_TIMEOUT)).isEqualTo(Duration.ofHours(2));
        for (String bad : List.of("0", "0s", "-5", "5 m", "1.5m", "5d", "m", "9999999999")) {
            assertThat(errors("IdleTimeout " + bad)).as(bad).singleElement().asString()
                    .contains("is not a positive duration");
        }
        assertThat(ValueTypes.DURATION.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(ValueTypes.DURATION.format(Duration.ofSeconds(600))).isEqualTo("10m");
    }

    @Test
    void sizes() {
        assertThat(valid("SpoolThreshold 0").get(ConfigKeys.SPOOL_THRESHOLD)).isZero();
        assertThat(valid("SpoolThreshold 1500").get(ConfigKeys.SPOOL_THRESHOLD)).isEqualTo(1500L);
        assertThat(valid("SpoolThreshold 64K").get(ConfigKeys.SPOOL_THRESHOLD)).isEqualTo(65536L);
        assertThat(valid("SpoolThreshold 2m").get(ConfigKeys.SPOOL_THRESHOLD)).isEqualTo(2L << 20);
        assertThat(valid("SpoolThreshold 1G").get(ConfigKeys.SPOOL_THRESHOLD)).isEqualTo(1L << 30);
        assertThat(valid("MaxFrameSize 64K").get(ConfigKeys.MAX_FRAME_SIZE)).isEqualTo(65536L);
        for (String bad : List.of("1T", "1.5M", "-1", "M", "999999999999G")) {
            assertThat(errors("SpoolThreshold " + bad)).as(bad).singleElement().asString().contains("is not a size");
        }
        assertThat(errors("MaxFrameSize 65535")).singleElement().asString().contains("from 64K to 1G");
        assertThat(errors("MaxFrameSize 2G")).singleElement().asString().contains("from 64K to 1G");
        assertThat(ValueTypes.formatSize(1536)).isEqualTo("1536");
        assertThat(ValueTypes.formatSize(3L << 20)).isEqualTo("3M");
    }

    @Test
    void octalModes() {
        assertThat(valid("SocketMode 660").get(ConfigKeys.SOCKET_MODE).bits()).isEqualTo(0660);
        assertThat(valid("SocketMode 0777").get(ConfigKeys.SOCKET_MODE).permissions()).hasSize(9);
        assertThat(valid("SocketMode 0000").get(ConfigKeys.SOCKET_MODE).permissions()).isEmpty();
        assertThat(valid("SocketMode 0640").get(ConfigKeys.SOCKET_MODE).permissions())
                .isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        for (String bad : List.of("4755", "0o660", "rw-rw----", "66", "08", "06600")) {
            assertThat(errors("SocketMode " + bad)).as(bad).singleElement().asString()
                    .contains("is not an octal permission mode");
        }
    }

    @Test
    void cidrs() throws Exception {
        List<Cidr> hosts = valid("InternalHosts 10.1.2.3/8, 192.0.2.7, 2001:DB8::1/32, ::1, 0.0.0.0/0")
                .get(ConfigKeys.INTERNAL_HOSTS);
        assertThat(hosts).extracting(Cidr::toString)
                .containsExactly("10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "::1/128", "0.0.0.0/0");
        assertThat(hosts.get(0).contains(InetAddress.getByName("10.200.1.1"))).isTrue();
        assertThat(hosts.get(0).contains(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(hosts.get(2).contains(InetAddress.getByName("2001:db8:ffff::5"))).isTrue();
        assertThat(hosts.get(2).contains(InetAddress.getByName("10.0.0.1"))).isFalse();
        for (String bad : List.of("10.0.0.0/33", "::1/129", "256.1.1.1", "10.0.0/8", "example.org", "10.0.0.1/",
                "1:2", "fe80::1%eth0", "10.0.0.1/-1")) {
            assertThat(errors("InternalHosts " + bad)).as(bad).singleElement().asString()
                    .startsWith(FILE + ":1: bad value for \"InternalHosts\": \"" + bad + "\"");
        }
        assertThat(errors("InternalHosts 10.0.0.0/8,,::1")).singleElement().asString().contains("empty entry");
    }

    @Test
    void nameserversAreIpLiteralsWithOptionalPorts() {
        assertThat(valid("Nameservers 127.0.0.1, 192.0.2.1:5353, [2001:db8::53]:53, ::1")
                .get(ConfigKeys.NAMESERVERS)).extracting(HostPort::toString)
                .containsExactly("127.0.0.1:53", "192.0.2.1:5353", "[2001:db8::53]:53", "[::1]:53");
        for (String bad : List.of("dns.example.org", "127.0.0.1:0", "127.0.0.1:70000", "[::1", "[::1]x")) {
            assertThat(errors("Nameservers " + bad)).as(bad).singleElement().asString()
                    .startsWith(FILE + ":1: bad value for \"Nameservers\": \"" + bad + "\"");
        }
    }

    @Test
    void domainsAreValidatedAndLowerCased() {
        assertThat(valid("Domains Example.ORG, xn--bcher-kva.example").get(ConfigKeys.DOMAINS))
                .containsExactly("example.org", "xn--bcher-kva.example");
        for (String bad : List.of("-a.example", "a_b.example", "bücher.example", "a" + "b".repeat(63) + ".example",
                "a..b", ".")) {
            assertThat(errors("Domains " + bad)).as(bad).singleElement().asString().contains("is not a domain name");
        }
    }

    @Test
    void failureActionsTakeWordsOrLetters() {
        assertThat(valid("On-DNSError reject").get(ConfigKeys.ON_DNS_ERROR)).isEqualTo(FailureAction.REJECT);
        assertThat(valid("on-dnserror T").get(ConfigKeys.ON_DNS_ERROR)).isEqualTo(FailureAction.TEMPFAIL);
        assertThat(valid("On-Unprotected q").get(ConfigKeys.ON_UNPROTECTED)).isEqualTo(FailureAction.QUARANTINE);
        assertThat(valid("On-DNSError TempFail").get(ConfigKeys.ON_DNS_ERROR)).isEqualTo(FailureAction.TEMPFAIL);
        assertThat(errors("On-DNSError x")).singleElement().asString()
                .contains("is not one of accept|reject|tempfail|quarantine|discard");
    }

    @Test
    void outgoingMailThatCannotBeEncryptedIsNeverAccepted() {
        for (String key : List.of("On-DNSError", "On-NoCertificate", "On-Untrusted", "On-NoSenderKey",
                "On-InternalError")) {
            assertThat(errors(key + " accept")).as(key).singleElement().asString()
                    .contains("\"accept\" is not allowed here; use");
        }
        assertThat(errors("On-DNSError quarantine")).singleElement().asString()
                .endsWith("\"quarantine\" is not allowed here; use reject|tempfail");
    }

    @Test
    void smimeAlgorithmsAreNamedByLabel() {
        assertThat(valid("ContentCipher aes-256-gcm").get(ConfigKeys.CONTENT_CIPHER))
                .isEqualTo(org.directmilter.crypto.smime.ContentCipher.AES_256_GCM);
        assertThat(valid("KeyTransport rsa-oaep").get(ConfigKeys.KEY_TRANSPORT))
                .isEqualTo(org.directmilter.crypto.smime.KeyTransport.RSA_OAEP_SHA1);
        assertThat(errors("ContentCipher des")).hasSize(1);
    }

    @Test
    void pathsMustBeAbsolute() {
        assertThat(valid("KeyStore /etc/dm/../dm2/keys").get(ConfigKeys.KEY_STORE)).isEqualTo(Path.of("/etc/dm2/keys"));
        assertThat(errors("AnchorDir anchors")).containsExactly(
                FILE + ":1: bad value for \"AnchorDir\": \"anchors\" is not an absolute path");
    }

    @Test
    void groupNames() {
        assertThat(valid("SocketGroup 115").get(ConfigKeys.SOCKET_GROUP)).contains("115");
        assertThat(errors("SocketGroup post fix")).singleElement().asString().contains("is not a group name");
    }

    @Test
    void booleansFollowOpenDkimFirstCharacterRule() {
        for (String yes : List.of("yes", "Y", "true", "T", "1", "yep")) {
            assertThat(ValueTypes.BOOLEAN.parse(yes)).as(yes).isTrue();
        }
        for (String no : List.of("no", "N", "false", "F", "0", "nope")) {
            assertThat(ValueTypes.BOOLEAN.parse(no)).as(no).isFalse();
        }
        assertThatThrownBy(() -> ValueTypes.BOOLEAN.parse("maybe")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"maybe\" is not a boolean");
    }

    @Test
    void aKeyDeclaredOnceIsParsedDefaultedAndReported() {
        // What a later issue does: declare a key; the loader needs nothing else.
        ConfigKey<Boolean> flag = new ConfigKey<>("RequireSafeKeys", ValueTypes.BOOLEAN, "yes", () -> true,
                ConfigKey.Applies.ON_RELOAD, "refuse private keys readable by others");
        ConfigLoader custom = new ConfigLoader(List.of(flag));
        var on = (ConfigResult.Valid) custom.parse(FILE, "");
        var off = (ConfigResult.Valid) custom.parse(FILE, "requiresafekeys No");
        assertThat(on.config().get(flag)).isTrue();
        assertThat(off.config().get(flag)).isFalse();
        assertThat(on.config().changedKeys(off.config())).containsExactly(flag);
        assertThat(custom.parse(FILE, "RequireSafeKeys perhaps")).isInstanceOf(ConfigResult.Invalid.class);
    }

    @Test
    void everyDeclaredDefaultIsValidAndDocumented() {
        MilterConfig defaults = loader.defaults(FILE);
        for (ConfigKey<?> key : ConfigKeys.all()) {
            assertThat(key.doc()).as(key.name()).isNotBlank().doesNotContain("\n");
            assertThat(key.defaultText()).as(key.name()).isNotBlank();
            assertThat(defaults.format(key)).as(key.name()).isNotBlank();
        }
        assertThat(ConfigKeys.all()).extracting(ConfigKey::name).doesNotHaveDuplicates();
        assertThat(ConfigKeys.all()).extracting(ConfigKey::name).startsWith("Socket").contains("On-DNSError");
    }

    @Test
    void formattedValuesParseBackToTheSameConfiguration() {
        MilterConfig original = valid("""
                Socket inet6:8891@[::1]
                InternalHosts 10.0.0.0/8, 2001:db8::/48
                Nameservers [::1]:5353
                IdleTimeout 90
                SpoolThreshold 1536
                """);
        StringBuilder text = new StringBuilder();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            String value = original.format(key);
            if (!value.equals("unset") && !value.equals("none")) {
                text.append(key.name()).append(' ').append(value).append('\n');
            }
        }
        assertThat(valid(text.toString())).isEqualTo(original);
    }

    @Test
    void loadReportsUnreadableAndOversizedFiles(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.conf");
        assertThat(loader.load(missing)).isEqualTo(new ConfigResult.Invalid(missing,
                List.of(new ConfigError(missing, 0, "cannot read configuration: no such file"))));
        assertThat(((ConfigResult.Invalid) loader.load(dir)).errors().get(0).toString())
                .isEqualTo(dir + ": cannot read configuration: is a directory, not a configuration file");
        Path latin1 = dir.resolve("latin1.conf");
        Files.write(latin1, "SocketGroup caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(((ConfigResult.Invalid) loader.load(latin1)).errors().get(0).reason()).contains("UTF-8");
        Path big = dir.resolve("big.conf");
        Files.write(big, new byte[(1 << 20) + 1]);
        assertThat(((ConfigResult.Invalid) loader.load(big)).errors().get(0).reason()).contains("larger than");
    }

    @Test
    void loadHandlesCrLfFiles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("dos.conf");
        Files.writeString(file, "Workers 3\r\nSocketGroup mail\r\n");
        var config = ((ConfigResult.Valid) loader.load(file)).config();
        assertThat(config.get(ConfigKeys.WORKERS)).isEqualTo(3);
        assertThat(config.get(ConfigKeys.SOCKET_GROUP)).isEqualTo(Optional.of("mail"));
    }

    @Test
    void editDistanceCountsTranspositionsAsOneEdit() {
        assertThat(ConfigLoader.editDistance("sockte", "socket")).isEqualTo(1);
        assertThat(ConfigLoader.editDistance("abc", "abc")).isZero();
        assertThat(ConfigLoader.editDistance("", "abc")).isEqualTo(3);
    }
}
