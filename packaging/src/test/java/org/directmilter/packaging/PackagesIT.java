package org.directmilter.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.directmilter.milter.testkit.Exec;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built .deb and .rpm, checked as files (after {@code mvn package}): what they install, with which
 * modes, which files are configuration, that lintian and rpmlint find nothing left unexplained, that the
 * RPM installs into a scratch root, and what its scriptlets do.
 */
@Tag("package")
class PackagesIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /** Installed paths both packages share, with their modes (directories end in '/'). */
    static final Map<String, String> COMMON = Map.ofEntries(
            Map.entry("/usr/bin/direct-milter", "-rwxr-xr-x"),
            Map.entry("/usr/share/direct-milter/lib/", "drwxr-xr-x"),
            Map.entry("/etc/direct-milter/direct-milter.conf", "-rw-r--r--"),
            Map.entry("/etc/direct-milter/logback.xml", "-rw-r--r--"),
            Map.entry("/etc/direct-milter/keys/", "drwxr-x---"),
            Map.entry("/etc/direct-milter/anchors/", "drwxr-xr-x"),
            Map.entry("/etc/direct-milter/certs/", "drwxr-xr-x"),
            Map.entry("/etc/direct-milter/bundles.d/", "drwxr-xr-x"),
            Map.entry("/var/lib/direct-milter/", "drwxr-x---"),
            Map.entry("/var/lib/direct-milter/bundles/", "drwxr-x---"),
            Map.entry("/usr/lib/sysusers.d/direct-milter.conf", "-rw-r--r--"),
            Map.entry("/usr/lib/tmpfiles.d/direct-milter.conf", "-rw-r--r--"),
            Map.entry("/usr/share/man/man8/direct-milter.8.gz", "-rw-r--r--"),
            Map.entry("/usr/share/man/man5/direct-milter.conf.5.gz", "-rw-r--r--"));

    static Path deb() {
        Path deb = Path.of(System.getProperty("dm.deb", "target/missing.deb"));
        assertThat(deb).as("the .deb built by mvn package").isRegularFile();
        return deb;
    }

    // ---------------------------------------------------------------- .deb

    @Test
    void debInstallsTheLayoutWithItsModesAllOwnedByRoot() {
        Map<String, String[]> entries = debEntries();
        assertLayout(".deb", entries, "-rw-r--r--", "/etc/default/direct-milter", "/lib/systemd/system/direct-milter.service",
                "/usr/share/doc/direct-milter/copyright", "/usr/share/doc/direct-milter/changelog.gz",
                "/usr/share/doc/direct-milter/README.Debian", "/usr/share/doc/direct-milter/install.md",
                "/usr/share/lintian/overrides/direct-milter");
        // users other than root do not exist when dpkg unpacks: postinst gives keys/ its group
        entries.forEach((path, fields) -> assertThat(fields[1]).as("owner of %s", path).isEqualTo("root/root"));
        assertThat(entries.keySet()).as("nothing in /run or Postfix's spool: tmpfiles.d and postinst make those")
                .noneMatch(p -> p.startsWith("/run/") || p.startsWith("/var/run/") || p.startsWith("/var/spool/"));
        assertThat(jars(entries.keySet(), "/usr/share/direct-milter/lib/"))
                .as("every runtime jar, the daemon's own included")
                .isEqualTo(jarNames(Path.of("target/lib"))).anyMatch(j -> j.matches("direct-milter-\\d.*\\.jar"));
    }

    @Test
    void debControlDependsOnJavaAndJsvcAndNamesTheConffiles() {
        Path deb = deb();
        String version = field(deb, "Version");
        assertThat(version).doesNotContain("-").isNotBlank();
        assertThat(deb.getFileName().toString()).isEqualTo("direct-milter_" + version + "_all.deb");
        assertThat(field(deb, "Architecture")).isEqualTo("all");
        assertThat(field(deb, "Depends")).contains("default-jre-headless (>= 2:1.17)", "jsvc", "adduser");
        assertThat(Exec.check("dpkg-deb", "-I", deb.toString(), "conffiles").output().lines().sorted().toList())
                .containsExactly("/etc/default/direct-milter", "/etc/direct-milter/direct-milter.conf",
                        "/etc/direct-milter/logback.xml");
    }

    @Test
    void debCarriesTheRepositoryFilesUnchangedAndTheGeneratedOnesFilledIn(@TempDir Path root) throws IOException {
        Exec.check("dpkg-deb", "-x", deb().toString(), root.toString());
        assertSameContent(root.resolve("lib/systemd/system/direct-milter.service"), "systemd/direct-milter.service");
        assertSameContent(root.resolve("usr/lib/sysusers.d/direct-milter.conf"), "systemd/direct-milter.sysusers");
        assertSameContent(root.resolve("usr/lib/tmpfiles.d/direct-milter.conf"), "systemd/direct-milter.tmpfiles");
        assertSameContent(root.resolve("usr/bin/direct-milter"), "packaging/bin/direct-milter");
        assertSameContent(root.resolve("etc/direct-milter/logback.xml"), "etc/logback.xml");
        assertSameContent(root.resolve("etc/default/direct-milter"), "packaging/deb/default");
        assertThat(Files.readString(root.resolve("etc/direct-milter/direct-milter.conf")))
                .isEqualTo(PackagedConfig.adapt(Repo.read("etc/direct-milter.conf")));

        String version = field(deb(), "Version");
        assertThat(gunzip(root.resolve("usr/share/doc/direct-milter/changelog.gz")))
                .startsWith("direct-milter (" + version + ") ");
        assertThat(gunzip(root.resolve("usr/share/man/man8/direct-milter.8.gz"))).contains("direct-milter " + version);
        assertThat(gunzip(root.resolve("usr/share/man/man5/direct-milter.conf.5.gz")))
                .contains(".BR Domains\n", "direct-milter " + version);
    }

    @Test
    void debMaintainerScriptsAreValidShell(@TempDir Path control) {
        Exec.check("dpkg-deb", "-e", deb().toString(), control.toString());
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Path file = control.resolve(script);
            assertThat(file).isExecutable();
            Exec.check("sh", "-n", file.toString());
        }
    }

    @Test
    void lintianReportsNothingThatIsNotOverriddenWithAReason() {
        Tools.require("/usr/bin/lintian", "lintian");
        Exec.Result lintian = Exec.run(TIMEOUT, List.of("lintian", "--pedantic", "--display-info", deb().toString()));
        List<String> tags = lintian.output().lines().filter(l -> l.matches("^[EWIPX]: .*")).toList();
        assertThat(tags).as("lintian:\n%s", lintian.output()).isEmpty();
        assertThat(lintian.exitCode()).as("lintian:\n%s", lintian.output()).isZero();

        // every override is explained by a comment right above it
        List<String> lines = Repo.read("packaging/deb/lintian-overrides").lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("direct-milter: ")) {
                assertThat(i).isPositive();
                assertThat(lines.get(i - 1)).as("reason above %s", lines.get(i)).startsWith("# ");
            }
        }
    }

    // ---------------------------------------------------------------- .rpm

    static Path rpm() {
        Tools.require("/usr/bin/rpmbuild", "rpm");
        Path rpm = Path.of(System.getProperty("dm.rpm", "target/missing.rpm"));
        assertThat(rpm).as("the .rpm built by mvn package (profile rpm, active where rpmbuild exists)").isRegularFile();
        return rpm;
    }

    @Test
    void rpmlintFindsNoErrors() {
        Path rpm = rpm();
        Tools.require("/usr/bin/rpmlint", "rpmlint");
        Exec.Result lint = Exec.run(TIMEOUT, List.of("rpmlint", "-r", Repo.path("packaging/rpm/rpmlintrc").toString(),
                rpm.toString()));
        assertThat(lint.output()).as("rpmlint:\n%s", lint.output()).contains(" 0 errors,").doesNotContain(": E: ");
    }

    @Test
    void rpmHasTheSameLayoutWithSysconfigAndItsConfigFilesMarked() {
        Path rpm = rpm();
        Map<String, String[]> files = new TreeMap<>();
        for (String line : query(rpm, "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\\n]")) {
            String[] f = line.split(" ", 5);
            boolean dir = f[0].startsWith("d");
            files.put(f[4] + (dir ? "/" : ""), f);
        }
        assertLayout(".rpm", files, "-rw-r--r--", "/etc/sysconfig/direct-milter",
                "/usr/lib/systemd/system/direct-milter.service");
        assertThat(files.get("/run/direct-milter/")[0]).isEqualTo("drwxr-x---");
        assertThat(files.get("/etc/direct-milter/keys/")).containsSequence("root", "direct-milter");
        assertThat(files.get("/var/lib/direct-milter/")).containsSequence("direct-milter", "direct-milter");
        assertThat(files.get("/run/direct-milter/")[3]).as("ghost: tmpfiles.d makes it").contains("g");
        assertThat(files.entrySet().stream().filter(e -> e.getValue()[3].contains("c")).map(Map.Entry::getKey))
                .containsExactlyInAnyOrder("/etc/direct-milter/direct-milter.conf", "/etc/direct-milter/logback.xml",
                        "/etc/sysconfig/direct-milter");
        assertThat(files.entrySet().stream().filter(e -> e.getValue()[3].contains("n")).map(Map.Entry::getKey))
                .as("%config(noreplace): an upgrade never overwrites the operator's edits")
                .containsExactlyInAnyOrder("/etc/direct-milter/direct-milter.conf", "/etc/direct-milter/logback.xml",
                        "/etc/sysconfig/direct-milter");
        assertThat(jars(files.keySet(), "/usr/share/direct-milter/lib/")).isEqualTo(jarNames(Path.of("target/lib")));
        assertThat(query(rpm, "[%{REQUIRENAME} %{REQUIREFLAGS:depflags} %{REQUIREVERSION}\\n]").stream().map(String::strip))
                .contains("java-headless >= 1:17", "apache-commons-daemon-jsvc");
    }

    @Test
    void rpmInstallsIntoAScratchRoot(@TempDir Path scratch) throws IOException {
        Path rpm = rpm();
        Path root = scratch.resolve("root");
        Files.createDirectories(root);
        Exec.check("rpm", "--root", root.toString(), "--initdb");
        // --noscripts: the scratch root has no shell; the scriptlets are run against stubs below
        Exec.Result install = Exec.run(TIMEOUT, List.of("rpm", "--root", root.toString(), "-ivh", "--nodeps",
                "--noscripts", rpm.toString()));
        assertThat(install.exitCode()).as("%s", install.output()).isZero();

        List<String> installed = Exec.check("rpm", "--root", root.toString(), "-ql", "direct-milter").output().lines().toList();
        assertThat(installed).isEqualTo(Exec.check("rpm", "-qpl", rpm.toString()).output().lines().toList());
        for (String file : installed) {
            if (!file.startsWith("/run/")) { // %ghost: listed, never unpacked
                assertThat(root.resolve(file.substring(1))).as(file).exists();
            }
        }
        assertThat(Files.readString(root.resolve("etc/direct-milter/direct-milter.conf")))
                .isEqualTo(PackagedConfig.adapt(Repo.read("etc/direct-milter.conf")));
        assertThat(Files.readString(root.resolve("usr/lib/systemd/system/direct-milter.service")))
                .isEqualTo(Repo.read("systemd/direct-milter.service"));
        assertThat(Files.readString(root.resolve("etc/sysconfig/direct-milter"))).contains("JAVA_HOME=/usr/lib/jvm/jre");
    }

    @Test
    void rpmScriptletsCreateTheUserEnableWithoutStartingAndCleanUpOnErase(@TempDir Path dir) throws IOException {
        Path rpm = rpm();
        Scriptlets scriptlets = new Scriptlets(rpm, dir);

        // first installation, no user yet
        assertThat(scriptlets.run("PREIN", 1, false)).containsExactly(
                "getent group direct-milter", "groupadd -r direct-milter",
                "getent passwd direct-milter",
                "useradd -r -g direct-milter -d /var/lib/direct-milter -s /sbin/nologin -c Direct milter daemon direct-milter");
        assertThat(scriptlets.run("PREIN", 2, true)).as("upgrade: the user exists")
                .containsExactly("getent group direct-milter", "getent passwd direct-milter");
        // no Postfix here (no group postdrop): the daemon's user joins no group
        assertThat(scriptlets.run("POSTIN", 1, true)).containsExactly(
                "systemd-tmpfiles --create /usr/lib/tmpfiles.d/direct-milter.conf", "getent group postdrop",
                "systemctl --no-reload enable direct-milter.service");
        assertThat(scriptlets.run("POSTIN", 2, true)).as("upgrade: enablement left as the operator set it")
                .containsExactly("systemd-tmpfiles --create /usr/lib/tmpfiles.d/direct-milter.conf",
                        "getent group postdrop");
        assertThat(scriptlets.run("PREUN", 0, true)).containsExactly("systemctl --no-reload disable --now direct-milter.service");
        assertThat(scriptlets.run("PREUN", 1, true)).isEmpty();
        assertThat(scriptlets.run("POSTUN", 0, true)).containsExactly("systemctl daemon-reload",
                "rm -rf /var/spool/postfix/direct-milter");
        assertThat(scriptlets.run("POSTUN", 1, true)).containsExactly("systemctl daemon-reload",
                "systemctl try-restart direct-milter.service");
        assertThat(scriptlets.calls()).as("no scriptlet starts the daemon")
                .noneMatch(call -> call.startsWith("systemctl ") && (call.contains("enable --now")
                        || List.of(call.split(" ")).stream().anyMatch(w -> w.equals("start") || w.equals("restart"))));
        assertThat(scriptlets.output()).as("what the first installation prints")
                .contains("set Domains in /etc/direct-milter/direct-milter.conf", "systemctl start direct-milter");
    }

    /**
     * Runs one RPM scriptlet with $1 set as rpm sets it, and with every command it calls replaced by a
     * stub that records its arguments (nothing on this machine changes). {@code userExists} is what
     * the getent stub answers.
     */
    private static final class Scriptlets {
        private final Path rpm;
        private final Path stubs;
        private final Path log;
        private final StringBuilder output = new StringBuilder();
        private final List<String> calls = new java.util.ArrayList<>();

        Scriptlets(Path rpm, Path dir) throws IOException {
            this.rpm = rpm;
            this.stubs = Files.createDirectories(dir.resolve("bin"));
            this.log = dir.resolve("calls.log");
            for (String command : List.of("getent", "groupadd", "useradd", "systemd-tmpfiles", "systemctl", "rm")) {
                Path stub = stubs.resolve(command);
                String rc = command.equals("getent") ? "${DM_GETENT_RC}" : "0";
                Files.writeString(stub, "#!/bin/sh\necho \"${0##*/} $*\" >> '" + log + "'\nexit " + rc + "\n");
                stub.toFile().setExecutable(true);
            }
        }

        List<String> run(String tag, int arg, boolean userExists) throws IOException {
            assertThat(query(rpm, "%{" + tag + "PROG}")).containsExactly("/bin/sh");
            String script = String.join("\n", query(rpm, "%{" + tag + "}"));
            Files.deleteIfExists(log);
            Exec.Result result = Exec.run(TIMEOUT, List.of("env", "-i", "PATH=" + stubs,
                    "DM_GETENT_RC=" + (userExists ? 0 : 2), "/bin/sh", "-e", "-c", script, "sh", String.valueOf(arg)));
            assertThat(result.exitCode()).as("%%%s %d:\n%s\n%s", tag, arg, script, result.output()).isZero();
            List<String> made = Files.exists(log) ? Files.readAllLines(log) : List.of();
            output.append(result.output());
            calls.addAll(made);
            return made;
        }

        /** What the scriptlets printed. */
        String output() {
            return output.toString();
        }

        /** Every command any scriptlet run so far called. */
        List<String> calls() {
            return calls;
        }
    }

    // ---------------------------------------------------------------- helpers

    /** {@code entries} (path to fields, the mode first) has every {@link #COMMON} path and {@code more}, with their modes. */
    private static void assertLayout(String what, Map<String, String[]> entries, String moreMode, String... more) {
        Map<String, String> expected = new LinkedHashMap<>(COMMON);
        for (String path : more) {
            expected.put(path, moreMode);
        }
        expected.forEach((path, mode) -> {
            assertThat(entries).as("the %s has %s", what, path).containsKey(path);
            assertThat(entries.get(path)[0]).as("mode of %s", path).isEqualTo(mode);
        });
    }

    /** {@code dpkg-deb -c}: installed path (directories end in '/') to {mode, owner/group}. */
    private static Map<String, String[]> debEntries() {
        Map<String, String[]> entries = new TreeMap<>();
        for (String line : Exec.check("dpkg-deb", "-c", deb().toString()).output().lines().toList()) {
            String[] f = line.trim().split("\\s+", 6);
            String path = f[5].substring(1); // "./usr/bin/x" -> "/usr/bin/x"
            entries.put(path, new String[] {f[0], f[1]});
        }
        return entries;
    }

    private static String field(Path deb, String name) {
        return Exec.check("dpkg-deb", "-f", deb.toString(), name).output().strip();
    }

    private static List<String> query(Path rpm, String format) {
        return Exec.check("rpm", "-qp", "--qf", format, rpm.toString()).output().lines().toList();
    }

    private static List<String> jars(java.util.Collection<String> paths, String dir) {
        return paths.stream().filter(p -> p.startsWith(dir) && p.endsWith(".jar"))
                .map(p -> p.substring(dir.length())).sorted().toList();
    }

    private static List<String> jarNames(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError("cannot list " + dir, e);
        }
    }

    private static void assertSameContent(Path installed, String repoFile) throws IOException {
        assertThat(Files.readAllBytes(installed)).as("%s is %s", installed, repoFile)
                .isEqualTo(Files.readAllBytes(Repo.path(repoFile)));
    }

    static String gunzip(Path file) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

}
