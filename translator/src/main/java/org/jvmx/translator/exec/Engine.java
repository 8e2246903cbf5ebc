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
    /** Interpreted executions of a block before it is compiled (MIXED; system property {@code jvmx.jit.hot}). */
    public int hotThreshold = Integer.getInteger("jvmx.jit.hot", 50);

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
                if (c.pendingLeave != null) return takeLeave();
                if (c.interruptFlagRaised != 0) {
                    int how = c.interruptFlagRaised;
                    c.interruptFlagRaised = 0;
                    return how == 2 ? Exit.INTERRUPT_FLAG_SET_BY_STI : Exit.INTERRUPT_FLAG_SET;
                }
                continue;
            }
            Exit e = interpret(b, b.insns.length);
            if (e != null) return e;
        }
    }

    /**
     * Executes exactly one instruction through the interpreter, whatever the tier: for the
     * monitor's single-stepping (interrupt windows and their STI / MOV SS shadows, SDM Vol. 3C
     * 26.7.5). Returns null when the instruction retired without leaving the loop.
     */
    public Exit step() {
        Cpu c = cpu;
        c.budget = 1;
        Block b;
        try {
            b = cache.lookup(c.state.rip);
        } catch (GuestFault f) {
            return fault(f);
        }
        c.codeWritten = false;
        return interpret(b, 1);
    }

    private Exit takeLeave() {
        Exit x = cpu.pendingLeave;
        cpu.pendingLeave = null;
        return x;
    }

    /** Tier 1: runs the block's instructions through their semantics. Null to go on. */
    private Exit interpret(Block b, int limit) {
        Cpu c = cpu;
        Instruction[] insns = b.insns;
        Semantics[] sem = b.semantics;
        long[] next = b.next;
        int k = 0;
        try {
            for (; k < limit; k++) {
                long n = next[k];
                c.state.rip = n;
                sem[k].execute(c, insns[k]);
                if (c.pendingLeave != null) {
                    c.state.rip = insns[k].ip();
                    c.stats.interpreted += k;
                    c.budget -= k;
                    return takeLeave();
                }
                if (c.interruptFlagRaised != 0) {
                    int how = c.interruptFlagRaised;
                    c.interruptFlagRaised = 0;
                    k++;
                    c.stats.interpreted += k;
                    c.budget -= k;
                    return how == 2 ? Exit.INTERRUPT_FLAG_SET_BY_STI : Exit.INTERRUPT_FLAG_SET;
                }
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
        // 16- and 32-bit code compiles too: the JIT inlines only mode-independent forms there
        // (jit.InlineOps.supportsLegacy). A mode switch clears the cache, so compiled code of
        // one mode is never found by lookup in another.
        if (tier == Tier.COMPILE) {
            if (!b.queued) {
                b.queued = true;
                predecode(b);
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

    /** Blocks {@link Tier#COMPILE} decodes ahead along direct successors, so that regions span loops. */
    static final int PREDECODE_BLOCKS = 32;

    /**
     * Decodes the blocks reachable from {@code b} through fall-through and direct branches (up
     * to {@link #PREDECODE_BLOCKS}) within its page, as they would be by the time MIXED finds
     * {@code b} hot, so the JIT can build a region. Code that cannot be fetched is left for when it runs.
     */
    private void predecode(Block b) {
        java.util.ArrayDeque<Block> work = new java.util.ArrayDeque<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        work.add(b);
        seen.add(b.start);
        while (!work.isEmpty() && seen.size() < PREDECODE_BLOCKS) {
            Block x = work.poll();
            Instruction last = x.insns[x.insns.length - 1];
            if (last.isInvalid() || last.virtClass() != org.jvmx.decoder.VirtClass.INNOCUOUS) continue;
            // A far JMP/CALL ptr16:xx (16- and 32-bit code) is a JUMP/CALL without a relative target.
            if (last.flowKind() != org.jvmx.decoder.FlowKind.NONE && !hasBranchOperand(last)) continue;
            long[] next = switch (last.flowKind()) {
                case NONE -> new long[] {x.end};
                case JUMP -> new long[] {last.branchTarget()};
                case CONDITIONAL_JUMP, CALL -> new long[] {last.branchTarget(), x.end};
                default -> new long[0];
            };
            for (long t : next) {
                // Only in the page being executed: another page's walk would set accessed flags
                // the guest's own execution might never set.
                if (((t ^ b.start) & ~0xFFFL) != 0 || !seen.add(t)) continue;
                try {
                    Block y = cache.predecode(t);
                    if (y != null) work.add(y);
                } catch (GuestFault f) {
                    // not fetchable now: decoded if and when it runs
                }
            }
        }
    }

    private static boolean hasBranchOperand(Instruction i) {
        for (int k = 0; k < i.operandCount(); k++) if (i.operandKind(k) == org.jvmx.decoder.OperandKind.BRANCH) return true;
        return false;
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
        try {
            cpu.sensitive.exception(cpu, f);
        } catch (LeaveRequest intercepted) {
            return intercepted.exit; // a hypervisor took the exception as a VM exit
        }
        // INT n carries its GuestFault so that the owner delivers it as a software interrupt.
        return new Exit(Exit.Kind.FAULT, f.vector(), f.errorCode(), addr, f.isSoftwareInterrupt() ? f : null);
    }

    @Override
    public void close() {
        if (compiler != null) compiler.shutdownNow();
        cache.close(); // the code pages are shared with the other vCPUs: stop listening
    }
}
