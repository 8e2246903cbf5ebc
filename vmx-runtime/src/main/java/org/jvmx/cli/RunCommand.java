package org.jvmx.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jvmx.linux.LinuxFiles;
import org.jvmx.linux.Personality;
import org.jvmx.linux.LinuxProcess;
import org.jvmx.linux.ProcessLoader;

/** {@code jvmx run}: runs an x86-64 Linux program as a guest, its system calls served by jvmx's Linux personality. */
final class RunCommand implements Command {
    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "run an x86-64 Linux program (static or dynamic ELF) in user mode";
    }

    @Override
    public String synopsis() {
        return "run [--root DIR] [--strace] [--tier TIER] [--workers M] [--stats] PROGRAM [ARGS...]";
    }

    @Override
    public String description() {
        return """
                Runs PROGRAM (an ELF64 x86-64 executable: static, static-PIE or dynamically linked) as a Linux
                process inside a VM: ring 3 on jvmx's VMX model, one VM exit per system call, served by jvmx's
                Linux personality. The program gets ARGS, this process's environment, and sees the files under
                DIR (default /) as its root. The exit status is the program's (128 + N when signal N killed it);
                a missing or malformed PROGRAM is one line and status 2.""";
    }

    @Override
    public List<Option> options() {
        return List.of(
                Option.value("root", "DIR", "the guest's root directory (default /); the interpreter is looked up under it"),
                Option.flag("strace", "print every system call and its result on stderr, as strace does"),
                Option.value("tier", "TIER", "interpret, jit (compile every block) or mixed (default: hot blocks compiled)"),
                Option.value("workers", "M", "worker threads (cores) the program's threads are scheduled on, 1 to 256"
                        + " (default: the host's processors)"),
                Option.flag("stats", "print instructions, MIPS, VM exits, page faults and missing system calls at the end"));
    }

    @Override
    public boolean optionsEndAtFirstOperand() {
        return true;
    }

    @Override
    public int run(Invocation inv) throws CliException, IOException {
        List<String> ops = inv.operands();
        if (ops.isEmpty()) throw inv.usageError("missing PROGRAM");
        var tier = KernelRun.tier(inv);
        Path root;
        Path program;
        try {
            root = Path.of(inv.has("root") ? inv.value("root") : "/");
            program = Path.of(ops.get(0));
        } catch (InvalidPathException e) {
            throw new CliException(e.getInput() + ": invalid file name");
        }
        if (!Files.isDirectory(root)) throw new CliException(root + ": --root is not a directory");
        int workers = inv.has("workers") ? BootCommand.workers(inv, inv.value("workers"))
                : Math.min(256, org.jvmx.sched.Scheduler.hostCores());
        inv.out().flush();
        try (LinuxProcess p = LinuxProcess.load(program, ops, environment(), root, tier)) {
            OutputStream stdout = new FileOutputStream(FileDescriptor.out), stderr = new FileOutputStream(FileDescriptor.err);
            // The guest's working directory: the host's under root /, else the root itself.
            String cwd = root.toAbsolutePath().normalize().equals(Path.of("/"))
                    ? Path.of("").toAbsolutePath().toString() : "/";
            String exe = cwd.equals("/") ? program.toString() : program.toAbsolutePath().normalize().toString();
            Personality.install(p, root, cwd, exe, new FileInputStream(FileDescriptor.in), stdout, stderr,
                    new boolean[] {LinuxFiles.hostIsTerminal(0), LinuxFiles.hostIsTerminal(1), LinuxFiles.hostIsTerminal(2)});
            p.setReport(inv.err());
            p.setWorkers(workers);
            if (inv.has("strace")) p.setStrace(inv.err());
            int status = p.run();
            if (inv.has("stats")) inv.err().print(p.stats());
            inv.err().flush();
            return status;
        } catch (ProcessLoader.LoadException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** The environment jvmx was started with, in its original order (/proc/self/environ), else the JVM's view. */
    static List<String> environment() {
        List<String> env = new ArrayList<>();
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc/self/environ"));
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    if (i > start) env.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return env;
        } catch (IOException | RuntimeException e) {
            for (Map.Entry<String, String> v : System.getenv().entrySet()) env.add(v.getKey() + "=" + v.getValue());
            return env;
        }
    }
}
