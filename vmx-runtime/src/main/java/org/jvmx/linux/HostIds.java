package org.jvmx.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host user's real uid and gid (from /proc/self/status), which the guest sees as its own, like a user-mode emulator. */
final class HostIds {
    private HostIds() {
    }

    /** {uid, gid}; 0 where the host does not tell. */
    static long[] uidGid() {
        long[] ids = {0, 0};
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) ids[0] = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                if (line.startsWith("Gid:")) ids[1] = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the guest runs as uid 0
        }
        return ids;
    }
}
