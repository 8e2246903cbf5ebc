package org.jvmx.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import org.jvmx.monitor.Machine;
import org.jvmx.monitor.loader.BootModule;
import org.jvmx.monitor.loader.LoaderException;

/**
 * What {@code jvmx boot} and {@code jvmx demo} share: load a kernel into a {@link Machine}, run
 * it with the serial console on standard output, stop cleanly on Ctrl-C, print the statistics.
 */
final class KernelRun {
    private KernelRun() {
    }

    /** Parses a memory size: a number of MiB, or a number with K, M or G. */
    static long memory(Invocation inv, String text) throws CliException {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        long unit = 1L << 20;
        if (t.endsWith("K")) { unit = 1L << 10; t = t.substring(0, t.length() - 1); }
        else if (t.endsWith("M")) { t = t.substring(0, t.length() - 1); }
        else if (t.endsWith("G")) { unit = 1L << 30; t = t.substring(0, t.length() - 1); }
        try {
            long n = Long.parseLong(t) * unit;
            if (n < (2L << 20) || n > (64L << 30) || (n & 0xFFF) != 0) {
                throw inv.usageError("--mem: " + text + " is not a size from 2M to 64G in whole pages");
            }
            return n;
        } catch (NumberFormatException e) {
            throw inv.usageError("--mem: '" + text + "' is not a size (e.g. 64M, 1G)");
        }
    }

    /** Loads and runs; returns the process exit status ({@code successStatus} is mapped to 0). */
    /** The --tier option (interpret, jit, mixed; default mixed). */
    static org.jvmx.translator.exec.Engine.Tier tier(Invocation inv) throws CliException {
        return switch (inv.has("tier") ? inv.value("tier") : "mixed") {
            case "interpret" -> org.jvmx.translator.exec.Engine.Tier.INTERPRET;
            case "jit" -> org.jvmx.translator.exec.Engine.Tier.COMPILE;
            case "mixed" -> org.jvmx.translator.exec.Engine.Tier.MIXED;
            default -> throw inv.usageError("--tier: '" + inv.value("tier") + "' is not interpret, jit or mixed");
        };
    }

    static int run(Invocation inv, String source, byte[] image, long mem, String cmdline, List<BootModule> modules,
            boolean stats, long successStatus) throws CliException, IOException {
        return run(inv, source, image, mem, 1, cmdline, modules, stats, successStatus);
    }

    /** As above, on a machine with {@code cpus} vCPUs. */
    static int run(Invocation inv, String source, byte[] image, long mem, int cpus, String cmdline, List<BootModule> modules,
            boolean stats, long successStatus) throws CliException, IOException {
        return run(inv, source, image, mem, cpus, 0, cmdline, modules, stats, successStatus);
    }

    /** As above, the vCPUs scheduled on {@code workers} worker threads (0: the machine's default). */
    static int run(Invocation inv, String source, byte[] image, long mem, int cpus, int workers, String cmdline,
            List<BootModule> modules, boolean stats, long successStatus) throws CliException, IOException {
        org.jvmx.translator.exec.Engine.Tier tier = tier(inv);
        Writer out = inv.out();
        PrintWriter err = inv.err();
        try (Machine m = new Machine(mem, b -> console(out, b), tier, cpus)) {
            m.setWorkers(workers);
            try {
                m.load(source, image, cmdline, modules);
            } catch (LoaderException e) {
                throw new CliException(e.getMessage());
            }
            Thread console = Thread.ofPlatform().daemon().name("jvmx-console").start(() -> {
                byte[] buf = new byte[256];
                try {
                    for (int n; (n = System.in.read(buf)) > 0; ) m.input(buf, n);
                } catch (IOException closed) {
                    // no more input
                }
            });
            // Ctrl-C (or SIGTERM): stop the guest at its next exit and let the statistics print
            // before the JVM goes down (shutdown hooks must finish first).
            java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
            Thread hook = new Thread(() -> {
                m.requestStop();
                try {
                    reported.await(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "jvmx-ctrl-c");
            Runtime.getRuntime().addShutdownHook(hook);
            Machine.Result r;
            try {
                r = m.run();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // Ctrl-C: the hook already ran and stopped the guest
                }
            }
            console.interrupt();
            out.flush();
            if (stats) {
                err.print(m.stats());
            }
            if (r.ending() == Machine.Ending.STOPPED) err.println("jvmx: " + source + ": stopped");
            err.flush();
            reported.countDown();
            return switch (r.ending()) {
                case DEBUG_EXIT -> r.status() == successStatus ? 0 : r.status();
                case RESET -> 0;
                case STOPPED -> r.status();
                default -> {
                    err.println("jvmx: " + source + ": " + r.detail());
                    err.flush();
                    yield r.status();
                }
            };
        }
    }

    private static void console(Writer out, int b) {
        try {
            out.write(b & 0xFF);
            if (b == '\n') out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
