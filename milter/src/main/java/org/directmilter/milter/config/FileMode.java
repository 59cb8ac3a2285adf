package org.directmilter.milter.config;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Permission bits for a file the daemon creates (the Unix socket), written in octal as chmod takes them.
 * Only the nine rwx bits: setuid, setgid and sticky mean nothing on a socket and are refused.
 */
public record FileMode(int bits) {

    private static final Pattern OCTAL = Pattern.compile("0?[0-7]{3}");

    // PosixFilePermission declares its constants from owner-read (0400) down to others-execute (0001).
    private static final PosixFilePermission[] BY_BIT = PosixFilePermission.values();

    public FileMode {
        if (bits < 0 || bits > 0777) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(bits) + " is outside 0000-0777");
        }
    }

    public static FileMode parse(String text) {
        if (!OCTAL.matcher(text).matches()) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" is not an octal permission mode like 0660 (only the rwx bits, 0000-0777)");
        }
        return new FileMode(Integer.parseInt(text, 8));
    }

    public Set<PosixFilePermission> permissions() {
        Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BY_BIT.length; i++) {
            if ((bits & (0400 >> i)) != 0) {
                result.add(BY_BIT[i]);
            }
        }
        return result;
    }

    @Override
    public String toString() {
        return String.format("%04o", bits);
    }
}
