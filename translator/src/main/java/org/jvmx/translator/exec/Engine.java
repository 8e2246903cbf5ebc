package org.jvmx.translator.exec;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.jvmx.decoder.Instruction;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PageFault;

/**
 * Runs one vCPU: looks blocks up in the {@link CodeCache}, interprets cold ones (tier 1) and
 * runs the JIT's code for hot ones (tier 2), until something makes it return an {@link Exit}.
 *
 * <p>Tiers: {@link Tier#INTERPRET} never compiles; {@link Tier#COMPILE} compiles every block
 * before its first run (how tests exercise the JIT on everything); {@link Tier#MIXED}
 * interprets a block until it has run {@link #hotThreshold} times, then compiles it on a
 * background thread and switches to the code once installed.
 */
public final class Engine implements AutoCloseable {
    public enum Tier { INTERPRET, COMPILE, MIXED }

    private final Cpu cpu;
    private final CodeCache cache;
    private final Tier tier;
    private final Jit jit;
    private ExecutorService compiler;
    /** Told of every instruction the interpreter retires (tests, tracing); null for none. */
    public interface Tracer {
        void retired(Cpu cpu, Instruction insn);
    }

    /** When set, the interpreter reports each retired instruction (and compiles nothing). */
    public Tracer tracer;
    /** Interpreted executions of a block before it is compiled (MIXED). */
    public int hotThreshold = 50;

    public Engine(Cpu cpu, Tier tier, Jit jit) {
        if (tier != Tier.INTERPRET && jit == null) throw new IllegalArgumentException(tier + " needs a JIT");
        this.cpu = cpu;
        this.tier = tier;
        this.jit = jit;
        this.cache = new CodeCache(cpu);
    }

    public CodeCache cache() {
        return cache;
    }

    public Cpu cpu() {
        return cpu;
    }

    /** Runs until an exit, or until about {@code budget} instructions have retired. */
    public Exit run(long budget) {
        Cpu c = cpu;
        c.budget = budget;
        while (true) {
            long rip = c.state.rip;
            if (rip == c.stopAt) return Exit.STOPPED;
            if (c.budget <= 0) return Exit.BUDGET;
            if (c.stopRequested) {
                c.stopRequested = false;
                return Exit.requested("stop requested");
            }
            Block b;
            try {
                b = cache.lookup(rip);
            } catch (GuestFault f) {
                return fault(f);
            }
            c.codeWritten = false;
            CompiledCode code = b.code;
            if (code == null && tier != Tier.INTERPRET && tracer == null) code = maybeCompile(b);
            if (code != null) {
                try {
                    code.run(c);
                } catch (GuestFault f) {
                    return fault(f);
                } catch (LeaveRequest r) {
                    return r.exit;
                }
                continue;
            }
            Exit e = interpret(b);
            if (e != null) return e;
        }
    }

    /** Tier 1: runs the block's instructions through their semantics. Null to go on. */
    private Exit interpret(Block b) {
        Cpu c = cpu;
        Instruction[] insns = b.insns;
        Semantics[] sem = b.semantics;
        long[] next = b.next;
        int k = 0;
        try {
            for (; k < insns.length; k++) {
                long n = next[k];
                c.state.rip = n;
                sem[k].execute(c, insns[k]);
                if (tracer != null) tracer.retired(c, insns[k]);
                if (c.state.rip != n || c.codeWritten || n == c.stopAt) {
                    k++;
                    break;
                }
            }
        } catch (GuestFault f) {
            c.state.rip = insns[k].ip();
            c.stats.interpreted += k;
            c.budget -= k;
            return fault(f);
        } catch (LeaveRequest r) {
            c.state.rip = r.completed ? next[k] : insns[k].ip();
            if (r.completed) k++;
            c.stats.interpreted += k;
            c.budget -= k;
            return r.exit;
        }
        c.stats.interpreted += k;
        c.budget -= k;
        return null;
    }

    private CompiledCode maybeCompile(Block b) {
        if (tier == Tier.COMPILE) {
            if (!b.queued) {
                b.queued = true;
                install(b);
            }
            return b.code;
        }
        if (++b.hits >= hotThreshold && !b.queued) {
            b.queued = true;
            if (compiler == null) {
                compiler = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "jvmx-jit");
                    t.setDaemon(true);
                    return t;
                });
            }
            try {
                compiler.execute(() -> install(b));
            } catch (RejectedExecutionException closed) {
                // shutting down: stay interpreted
            }
        }
        return b.code;
    }

    private void install(Block b) {
        CompiledCode code = jit.compile(b, cache, cpu.stats);
        if (code != null && b.valid) b.code = code;
    }

    /** The architectural consequences of a fault that leaves the loop: CR2 for #PF (SDM Vol. 3A, 4.7). */
    private Exit fault(GuestFault f) {
        if (f.trapNextIp() != -1) cpu.state.rip = f.trapNextIp();
        long addr = 0;
        if (f instanceof PageFault pf) addr = pf.linearAddress();
        cpu.sensitive.exception(cpu, f);
        return Exit.fault(f.vector(), f.errorCode(), addr);
    }

    @Override
    public void close() {
        if (compiler != null) compiler.shutdownNow();
    }
}
