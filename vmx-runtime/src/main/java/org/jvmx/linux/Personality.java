package org.jvmx.linux;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import org.jvmx.linux.signal.SignalTable;

/**
 * The whole Linux personality on a process: the file group over {@code root} (the guest's
 * {@code /}), signals, and the remaining calls (ids, time, limits, ...). What {@code jvmx run}
 * and the tests install.
 */
public final class Personality {
    private Personality() {
    }

    /**
     * Installs every group. {@code cwd} is a guest path; {@code exe} the guest path of the program
     * ({@code /proc/self/exe}); {@code ttys} whether fds 0, 1 and 2 are terminals.
     */
    public static LinuxFiles install(LinuxProcess p, Path root, String cwd, String exe,
            InputStream in, OutputStream out, OutputStream err, boolean[] ttys) {
        LinuxFiles files = new LinuxFiles(root, cwd, p.memory(), in, out, err, ttys[0], ttys[1], ttys[2]);
        files.setExe(exe);
        files.setPid(p.pid());
        p.install(files);
        LinuxMiscHost host = LinuxMiscHost.probe();
        LinuxSignals signals = new LinuxSignals(p.memory(), p.vcpu(), p.pid(), host.uid(), null);
        files.setSigpipeHandler(() -> signals.raise(SignalTable.SIGPIPE));
        p.install(signals);
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        String name = Path.of(exe).getFileName() == null ? exe : Path.of(exe).getFileName().toString();
        p.install(new LinuxMisc(p.memory(), host, p::cpuNanos, name, p.pid(), (int) parent));
        return files;
    }
}
