package org.directmilter.milter.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One {@code /proc/PID/stat} or {@code /proc/PID/task/TID/stat} line: the command name and its CPU times in
 * clock ticks (fields 14 to 17: utime, stime, and what it reaped of ended children, cutime and cstime).
 */
record ProcStat(String name, long ownTicks, long reapedTicks) {

    /** @throws java.nio.file.NoSuchFileException when the process or thread has ended */
    static ProcStat read(Path stat) throws IOException {
        String line = Files.readString(stat);
        // the name is in parentheses and may hold spaces: the fields start after the last ')'
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return new ProcStat(line.substring(line.indexOf('(') + 1, line.lastIndexOf(')')),
                Long.parseLong(fields[11]) + Long.parseLong(fields[12]),
                Long.parseLong(fields[13]) + Long.parseLong(fields[14]));
    }

    static ProcStat of(long pid) throws IOException {
        return read(Path.of("/proc", Long.toString(pid), "stat"));
    }
}
