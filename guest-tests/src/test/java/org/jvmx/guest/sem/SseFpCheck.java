package org.jvmx.guest.sem;

import java.util.List;
import org.jvmx.guest.host.Differential;
import org.jvmx.guest.host.HostCase;

/** Runs the differential check and, on mismatches, lists the first line of each report before failing. */
final class SseFpCheck {
    private SseFpCheck() {
    }

    static void assertMatchesHost(List<HostCase> cases) {
        List<String> reports = Differential.check(cases);
        if (reports.isEmpty()) return;
        StringBuilder b = new StringBuilder(reports.size() + " of " + cases.size() + " cases differ from the host CPU\n");
        for (String r : reports.subList(0, Math.min(40, reports.size()))) {
            String[] lines = r.split("\n");
            b.append(lines[0]).append(" | ").append(lines.length > 2 ? lines[2].trim() : "").append('\n');
        }
        String show = System.getProperty("ssefp.show");
        String detail = reports.getFirst();
        if (show != null) for (String r : reports) if (r.contains(show)) { detail = r; break; }
        b.append("first:\n").append(detail);
        throw new AssertionError(b.toString());
    }
}
