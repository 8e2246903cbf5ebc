package org.jvmx.perf;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jvmx.sched.Scheduler;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * The SMP scaling harness ({@code scripts/scaling}): a compute-bound guest run as 1 vCPU on 1
 * worker and as 2 vCPUs on 2 workers of the {@link Scheduler}, the same work per vCPU, each vCPU
 * on its own data. Prints guest instructions per second of each configuration, measured in a
 * window after a warm-up (so both are timed on compiled guest code), and their ratio; the
 * configurations alternate, and the median over the runs is reported. The machine's load
 * average is printed with them: other processes on the cores show up in the ratio. So does the
 * CPU time the workers actually got (cores' worth) and the instructions per worker-CPU-second,
 * which stay equal between the configurations when the vCPUs do not slow each other down.
 *
 * <pre>
 *   scripts/scaling                           3 runs, 4 s warm-up, 4 s measured
 *   scripts/scaling --runs 5 --warmup 3 --seconds 5 --vcpus 4
 * </pre>
 */
public final class Scaling {
    /**
     * The guest: chunks of {@link #ITERATIONS} iterations of a load, add, multiply, store walk
     * over the vCPU's own 4 KiB at RBX, then VMCALL (the monitor counts the chunk):
     * <pre>
     * 1: mov ecx, 100000
     * 2: mov rax, [rbx+rsi*8]; add rax, rcx; imul rax, rax, 5; mov [rbx+rsi*8], rax
     *    inc esi; and esi, 511; dec rcx; jnz 2b
     *    vmcall; jmp 1b
     * </pre>
     */
    static final String GUEST = "b9a0860100 488b04f3 4801c8 486bc005 488904f3 ffc6 81e6ff010000 48ffc9 75e4 0f01c1 ebda";
    static final long ITERATIONS = 100_000;
    static final long INSTRUCTIONS_PER_CHUNK = ITERATIONS * 8 + 3;
    static final long CODE = 0x10000, DATA = 0x10_0000, STACKS = 0x30_0000;

    /**
     * @param instructionsPerCpuSecond guest instructions per second of CPU time the workers got:
     *                                 equal in both configurations when nothing but the host's
     *                                 free cores limits the scaling
     */
    record Result(int vcpus, double instructionsPerSecond, double instructionsPerCpuSecond, double workerCpuShare,
            long migrations) {}

    public static void main(String[] args) throws Exception {
        int runs = 3, vcpus = 2;
        double warmup = 4, seconds = 4;
        for (int k = 0; k < args.length; k++) {
            switch (args[k]) {
                case "--runs" -> runs = Integer.parseInt(args[++k]);
                case "--warmup" -> warmup = Double.parseDouble(args[++k]);
                case "--seconds" -> seconds = Double.parseDouble(args[++k]);
                case "--vcpus" -> vcpus = Integer.parseInt(args[++k]);
                default -> {
                    System.err.println("scaling: unknown option " + args[k] + " (--runs N --warmup S --seconds S --vcpus N)");
                    System.exit(2);
                }
            }
        }
        System.out.printf(Locale.ROOT, "host: %d cores, load average %s%n", Runtime.getRuntime().availableProcessors(), loadAverage());
        List<Double> one = new ArrayList<>(), many = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            Result a = measure(1, warmup, seconds);
            Result b = measure(vcpus, warmup, seconds);
            one.add(a.instructionsPerSecond());
            many.add(b.instructionsPerSecond());
            System.out.printf(Locale.ROOT, "run %d: 1 vCPU/1 worker %.1f M instr/s (%.1f M per worker-CPU-s, %.2f cores);"
                            + " %d vCPUs/%d workers %.1f M instr/s (%.1f M per worker-CPU-s, %.2f cores, %d migrations);"
                            + " ratio %.2f; load %s%n", r + 1, a.instructionsPerSecond() / 1e6, a.instructionsPerCpuSecond() / 1e6,
                    a.workerCpuShare(), vcpus, vcpus, b.instructionsPerSecond() / 1e6, b.instructionsPerCpuSecond() / 1e6,
                    b.workerCpuShare(), b.migrations(), b.instructionsPerSecond() / a.instructionsPerSecond(), loadAverage());
        }
        double m1 = median(one), mn = median(many);
        System.out.printf(Locale.ROOT, "median: 1 vCPU %.1f M instr/s, %d vCPUs %.1f M instr/s, ratio %.2f (load %s)%n",
                m1 / 1e6, vcpus, mn / 1e6, mn / m1, loadAverage());
    }

    /** {@code n} vCPUs on {@code n} workers: guest instructions per second in the measured window. */
    static Result measure(int n, double warmup, double seconds) throws Exception {
        try (Vm vm = Vm.create(); Scheduler s = new Scheduler(n, Scheduler.Options.defaults())) {
            vm.addRam(0, 4 << 20);
            long cr3 = vm.identityMap(0x8000, 4 << 20);
            vm.write(CODE, GuestKernels.hex(GUEST));
            AtomicLongArray chunks = new AtomicLongArray(n);
            List<Vcpu> vcpus = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                Vcpu v = vm.createVcpu();
                v.vmwrite(VmcsFields.GUEST_CR3, cr3);
                v.vmwrite(VmcsFields.GUEST_RIP, CODE);
                v.vmwrite(VmcsFields.GUEST_RSP, STACKS - 0x1000L * k);
                v.setReg(Reg.RBX, DATA + 0x1_0000L * k); // its own data, 64 KiB from the next vCPU's
                v.setReg(Reg.RSI, 0);
                vcpus.add(v);
            }
            boolean[] stop = {false};
            for (Vcpu v : vcpus) {
                s.add(v, (c, x) -> {
                    if (x.reason() != ExitReason.VMCALL) throw new IllegalStateException("unexpected " + x);
                    chunks.incrementAndGet(c.id());
                    c.skipInstruction();
                    return !stopRequested(stop);
                });
            }
            Thread.sleep((long) (warmup * 1000));
            long c0 = total(chunks), t0 = System.nanoTime(), cpu0 = workerCpu(s);
            Thread.sleep((long) (seconds * 1000));
            long c1 = total(chunks), t1 = System.nanoTime(), cpu1 = workerCpu(s);
            synchronized (stop) {
                stop[0] = true;
            }
            s.await();
            long migrations = 0;
            for (Vcpu v : vcpus) migrations += v.migrations() - 1; // the first is the move onto a worker
            double instructions = (c1 - c0) * (double) INSTRUCTIONS_PER_CHUNK;
            return new Result(n, instructions * 1e9 / (t1 - t0), instructions * 1e9 / (cpu1 - cpu0),
                    (cpu1 - cpu0) / (double) (t1 - t0), migrations);
        }
    }

    private static long workerCpu(Scheduler s) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long t = 0;
        for (Thread w : s.threads()) t += mx.getThreadCpuTime(w.threadId());
        return t;
    }

    private static boolean stopRequested(boolean[] stop) {
        synchronized (stop) {
            return stop[0];
        }
    }

    private static long total(AtomicLongArray a) {
        long t = 0;
        for (int k = 0; k < a.length(); k++) t += a.get(k);
        return t;
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
