package org.jvmx.guest.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The CPUID features of the host CPU, as Linux lists them in {@code /proc/cpuinfo}, under the
 * spec's feature names: a form whose feature the host lacks cannot be checked against it.
 */
final class HostFeatures {
    /** Spec feature names whose cpuinfo flag is spelled differently. */
    private static final Map<String, String> CPUINFO_NAME = Map.ofEntries(
            Map.entry("SSE3", "pni"), Map.entry("LZCNT", "abm"), Map.entry("CMPXCHG16B", "cx16"),
            Map.entry("CLFSH", "clflush"), Map.entry("SHA", "sha_ni"), Map.entry("LAHF_SAHF", "lahf_lm"),
            Map.entry("PREFETCHW", "3dnowprefetch"), Map.entry("SYSCALL", "syscall"), Map.entry("SEP", "sep"),
            Map.entry("MONITOR", "monitor"), Map.entry("TSC", "tsc"), Map.entry("MSR", "msr"),
            Map.entry("FXSR", "fxsr"), Map.entry("CMOV", "cmov"), Map.entry("CX8", "cx8"), Map.entry("MMX", "mmx"));
    private static Set<String> flags;

    private HostFeatures() {
    }

    static synchronized Set<String> flags() {
        if (flags == null) {
            flags = new HashSet<>();
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("flags")) {
                        for (String f : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) flags.add(f);
                        break;
                    }
                }
            } catch (IOException e) {
                // no cpuinfo: only forms without a CPUID feature are used
            }
        }
        return flags;
    }

    /** True when the host has the spec feature {@code name} (e.g. {@code SSE4_1}, {@code BMI1}). */
    static boolean has(String name) {
        String f = CPUINFO_NAME.getOrDefault(name, name.toLowerCase(Locale.ROOT));
        return flags().contains(f);
    }
}
