package org.directmilter.milter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * Per-instance scratch directories under {@code target/it} (or {@code -Ddm.it.dir}). They are mode
 * 0755 because the MTAs drop privileges (postfix, nobody) and must traverse every parent; they are
 * kept after the run so a failure can be read from the logs in them.
 */
public final class Scratch {

    public static final Set<PosixFilePermission> MODE_755 = PosixFilePermissions.fromString("rwxr-xr-x");

    private Scratch() {
    }

    public static Path newDirectory(String prefix) {
        try {
            Path base = Path.of(System.getProperty("dm.it.dir", "target/it")).toAbsolutePath().normalize();
            Files.createDirectories(base);
            for (Path p = base; p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IllegalStateException(p + " is not traversable by other users (needs o+x): "
                            + "the MTAs' unprivileged processes could not reach " + base);
                }
            }
            Path dir = Files.createTempDirectory(base, prefix);
            Files.setPosixFilePermissions(dir, MODE_755);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory", e);
        }
    }

    public static Path mkdir(Path dir, Set<PosixFilePermission> mode) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, mode);
        return dir;
    }

    public static void chown(Path path, String user) throws IOException {
        UserPrincipal owner = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
        Files.setOwner(path, owner);
    }

    public static String readOrEmpty(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, java.nio.charset.StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** The last {@code max} characters of a log, for failure messages. */
    public static String tail(String label, Path file, int max) {
        String text = readOrEmpty(file);
        String shown = text.length() > max ? "..." + text.substring(text.length() - max) : text;
        return "---- " + label + " (" + file + ") ----\n" + shown;
    }
}
