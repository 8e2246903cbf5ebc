package org.jvmx.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the miscellaneous system calls report about the host: ids (from {@code /proc/self/status}),
 * kernel release/version and host name ({@code /proc/sys/kernel}), uptime. Each has a plausible
 * fallback, so that jvmx runs on hosts without {@code /proc}.
 */
public record LinuxMiscHost(int uid, int gid, int[] groups, String nodename, String release, String version,
        double uptimeSeconds) {
    /** The host jvmx runs on. */
    public static LinuxMiscHost probe() {
        int uid = 1000, gid = 1000;
        int[] groups = {};
        for (String line : lines("/proc/self/status")) {
            String[] f = line.split("\\s+");
            if (line.startsWith("Uid:") && f.length > 1) uid = Integer.parseInt(f[1]);
            if (line.startsWith("Gid:") && f.length > 1) gid = Integer.parseInt(f[1]);
            if (line.startsWith("Groups:")) {
                List<Integer> g = new ArrayList<>();
                for (int k = 1; k < f.length; k++) if (!f[k].isEmpty()) g.add(Integer.parseInt(f[k]));
                groups = g.stream().mapToInt(Integer::intValue).toArray();
            }
        }
        String node = first("/proc/sys/kernel/hostname", "localhost");
        String release = first("/proc/sys/kernel/osrelease", "6.8.0-jvmx");
        String version = first("/proc/sys/kernel/version", "#1 SMP PREEMPT_DYNAMIC");
        double up = 0;
        try {
            up = Double.parseDouble(first("/proc/uptime", "0").split(" ")[0]);
        } catch (NumberFormatException e) {
            up = 0;
        }
        return new LinuxMiscHost(uid, gid, groups, node, release, version, up);
    }

    private static List<String> lines(String path) {
        try {
            return Files.readAllLines(Path.of(path));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String first(String path, String fallback) {
        List<String> l = lines(path);
        return l.isEmpty() || l.get(0).isBlank() ? fallback : l.get(0).trim();
    }
}
