package org.directmilter.milter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SocketSpecTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "inet:8891@127.0.0.1        | 127.0.0.1        | 8891 | false | inet:8891@127.0.0.1",
        "inet:8891@localhost        | localhost        | 8891 | false | inet:8891@localhost",
        "inet:10025@mail.example.org| mail.example.org | 10025| false | inet:10025@mail.example.org",
        "inet:0@127.0.0.1           | 127.0.0.1        | 0    | false | inet:0@127.0.0.1",
        "INET:8891@127.0.0.1        | 127.0.0.1        | 8891 | false | inet:8891@127.0.0.1",
        "inet6:8891@[::1]           | ::1              | 8891 | true  | inet6:8891@[::1]",
        "inet6:8891@::1             | ::1              | 8891 | true  | inet6:8891@[::1]",
        "inet6:8891@[2001:db8::25]  | 2001:db8::25     | 8891 | true  | inet6:8891@[2001:db8::25]",
        "inet6:8891@ip6-localhost   | ip6-localhost    | 8891 | true  | inet6:8891@ip6-localhost",
    })
    void parsesInetWithHost(String spec, String host, int port, boolean ipv6, String canonical) {
        SocketSpec parsed = SocketSpec.parse(spec);

        assertThat(parsed).isEqualTo(new SocketSpec.Inet(host, port, ipv6));
        assertThat(parsed).hasToString(canonical);
        assertThat(SocketSpec.parse(parsed.toString())).isEqualTo(parsed);
    }

    @Test
    void inetWithoutHostMeansAllInterfaces() {
        SocketSpec v4 = SocketSpec.parse("inet:8891");
        SocketSpec v6 = SocketSpec.parse("inet6:8891");

        assertThat(v4).isEqualTo(new SocketSpec.Inet("", 8891, false));
        assertThat(((SocketSpec.Inet) v4).allInterfaces()).isTrue();
        assertThat(v4).hasToString("inet:8891");
        assertThat(v6).hasToString("inet6:8891");
        assertThat(((SocketSpec.Inet) SocketSpec.parse("inet:8891@127.0.0.1")).allInterfaces()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"local:/run/direct-milter/dm.sock", "unix:/run/direct-milter/dm.sock",
        "/run/direct-milter/dm.sock", "  local:/run/direct-milter/dm.sock  "})
    void parsesLocalForms(String spec) {
        SocketSpec parsed = SocketSpec.parse(spec);

        assertThat(parsed).isEqualTo(new SocketSpec.Local(Path.of("/run/direct-milter/dm.sock")));
        assertThat(parsed).hasToString("local:/run/direct-milter/dm.sock");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tcp:8891@127.0.0.1      | 'tcp:' is not a milter socket type; write inet:8891@127.0.0.1",
        "tcp:127.0.0.1:8891      | 'tcp:' is not a milter socket type; write inet:8891@127.0.0.1",
        "tcp:8891                | 'tcp:' is not a milter socket type; write inet:8891@127.0.0.1",
        "tcp6:[::1]:8891         | 'tcp6:' is not a milter socket type; write inet6:8891@[::1]",
        "inet:127.0.0.1:8891     | this is Postfix syntax (inet:HOST:PORT); direct-milter uses the libmilter form"
            + " PORT@HOST, so write inet:8891@127.0.0.1",
        "inet:localhost:8891     | Postfix syntax (inet:HOST:PORT); direct-milter uses the libmilter form PORT@HOST,"
            + " so write inet:8891@localhost",
        "inet:[::1]:8891         | so write inet6:8891@[::1]",
        "inet:8891@::1           | '::1' is an IPv6 address; write inet6:8891@[::1]",
        "inet:8891@[::1]         | '[::1]' is an IPv6 address; write inet6:8891@[::1]",
        "inet:@127.0.0.1         | the port is missing",
        "inet:                   | the port is missing",
        "inet:99999@127.0.0.1    | '99999' is not a port number (0-65535)",
        "inet:smtp@127.0.0.1     | 'smtp' is not a port number (0-65535)",
        "inet:-1@127.0.0.1       | '-1' is not a port number (0-65535)",
        "inet:localhost          | 'localhost' is not a port number (0-65535)",
        "inet:8891@              | the host after '@' is empty; write inet:8891 for all interfaces or name an address",
        "inet:8891@300.1.1.1     | '300.1.1.1' is not a valid IPv4 address",
        "inet:8891@bad_host!     | 'bad_host!' is neither a host name nor an IPv4 address",
        "inet6:8891@[::1         | unbalanced brackets in '[::1'; write [ADDRESS]",
        "inet6:8891@[mail.example]| '[mail.example]' is neither a host name nor an IPv6 address",
        "local:run/dm.sock       | the socket path 'run/dm.sock' is not absolute; write local:/absolute/path",
        "unix:dm.sock            | the socket path 'dm.sock' is not absolute",
        "local:                  | the socket path is missing",
        "local:/run/direct-milter/| the socket path '/run/direct-milter/' names a directory; add a file name",
        "8891                    | a bare port is ambiguous; write inet:8891@127.0.0.1 (or inet:8891 for all interfaces)",
        "direct-milter.sock      | missing the socket type (inet:, inet6:, local: or unix:)",
        "smtp:8891               | unknown socket type 'smtp:'",
    })
    void rejectsWithAMessageNamingValueProblemAndForms(String spec, String problem) {
        assertThatThrownBy(() -> SocketSpec.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid socket spec '" + spec + "': ")
                .hasMessageContaining(problem)
                .hasMessageEndingWith(". Accepted forms: inet:PORT@HOST, inet:PORT (all interfaces),"
                        + " inet6:PORT@[ADDRESS], local:/absolute/path, unix:/absolute/path or /absolute/path");
    }

    @Test
    void rejectsEmptySpec() {
        assertThatThrownBy(() -> SocketSpec.parse("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid socket spec '': the socket spec is empty.");
    }

    @Test
    void rejectsPathTooLongForAUnixSocket() {
        String path = "/var/spool/postfix/" + "d".repeat(100) + "/dm.sock";

        assertThatThrownBy(() -> SocketSpec.parse("local:" + path))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the socket path is 127 bytes long; Unix sockets allow at most 107");
    }

    @Test
    void valueTypesCheckTheirOwnInvariants() {
        assertThatThrownBy(() -> new SocketSpec.Inet("127.0.0.1", 70_000, false))
                .hasMessage("port 70000 is outside 0-65535");
        assertThatThrownBy(() -> new SocketSpec.Local(Path.of("relative.sock")))
                .hasMessage("Unix socket path relative.sock is not absolute");
    }
}
