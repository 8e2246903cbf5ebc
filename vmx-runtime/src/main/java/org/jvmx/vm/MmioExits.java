package org.jvmx.vm;

import java.util.ArrayDeque;
import java.util.Arrays;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.exec.LeaveRequest;
import org.jvmx.translator.mem.MmioExitPort;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.ExitReason;

/**
 * One vCPU's side of the MMIO exit regions ({@link Vm#addMmioExit}): turns its accesses into
 * EPT-violation exits (SDM Vol. 3C 28.2.1, Table 28-7) and replays the instruction with the
 * values the monitor supplies.
 *
 * <p>How an instruction meets an exit region:
 * <ul>
 * <li>In normal execution (either tier) any access leaves at once, fault-like: the instruction
 *     has not executed. A read is then reported as it is ({@link #QUEUED}); a write makes the
 *     vCPU re-run that one instruction through the interpreter in <em>step mode</em>
 *     ({@link #STEP}). Compiled code thus needs no MMIO checks: its slow memory path restores
 *     the state precisely when an access throws, as for a page fault.
 * <li>In step mode a <b>read</b> is answered from the values the monitor supplied for this
 *     instruction, in order; past them it leaves fault-like ({@link #QUEUED}) and reports a read
 *     exit with RIP on the instruction. The monitor answers with {@link Vcpu#completeMmioRead}
 *     and the next run replays the instruction (CMPS between two exit regions exits twice).
 * <li>In step mode a <b>write</b> is posted: recorded, and the instruction goes on. After it
 *     completes each posted write is reported as its own exit, in order, RIP after the
 *     instruction (REP STOS: one exit per element). Writes posted before a read that exits are
 *     discarded and posted again by the replay.
 * <li>A <b>locked</b> read-modify-write is a read exit, then a posted write. It is not atomic
 *     with respect to the device, which needs no atomicity: the monitor serves it alone.
 * <li>A <b>fetch</b> is an exit with bit 2 and nothing more: code does not run from MMIO.
 * </ul>
 * REP string instructions commit their iterations one by one (RCX counts down per element,
 * SDM Vol. 2 "REP"): when one exits part way, reads and writes of the iterations it already
 * retired are kept (the writes reported, the values used up), told apart by the RCX value they
 * were made under.
 *
 * <p>The state lives here, per vCPU, reached through the CPU's own {@code LinearMemory}: no
 * lookup of the current vCPU on the access path.
 */
final class MmioExits implements MmioExitPort {
    /** The access needs step mode: re-run the instruction through {@link #beginStep}. */
    static final Exit STEP = Exit.requested("MMIO exit region: step the instruction");
    /** An exit is queued ({@link #next}): leave with RIP on the instruction. */
    static final Exit QUEUED = Exit.requested("MMIO exit queued");
    private static final LeaveRequest STEP_LEAVE = new LeaveRequest(STEP, false);
    private static final LeaveRequest QUEUED_LEAVE = new LeaveRequest(QUEUED, false);

    private static final long READ_QUAL = VmExit.EPT_READ | VmExit.EPT_LINEAR_VALID | VmExit.EPT_TRANSLATED;
    private static final long WRITE_QUAL = VmExit.EPT_WRITE | VmExit.EPT_LINEAR_VALID | VmExit.EPT_TRANSLATED;
    private static final long FETCH_QUAL = VmExit.EPT_FETCH | VmExit.EPT_LINEAR_VALID | VmExit.EPT_TRANSLATED;

    private final Cpu cpu;
    private boolean stepping;

    /** Values the monitor supplied for the instruction at {@link #answeredRip}; {@code used} of them consumed so far. */
    private long[] values = new long[4];
    private long[] usedUnder = new long[4]; // RCX when each was consumed
    private int count, used;
    private long answeredRip;
    /** A read exit was reported and is waiting for its value. */
    private boolean readOutstanding;

    /** Writes posted by the current step: gpa, size, value, linear, RCX at the time. */
    private long[] posted = new long[5 * 4];
    private int postedCount;

    /** The last read of this step, which a locked access at the same place completes. */
    private long lastGpa = -1, lastValue;
    private int lastSize;

    /** Exits to report, oldest first; the guest RIP is filled in when each is reported. */
    private final ArrayDeque<VmExit> queue = new ArrayDeque<>();

    MmioExits(Cpu cpu) {
        this.cpu = cpu;
    }

    // ---- the access side (called by the CPU's memory path)

    @Override
    public long read(long gpa, int size, long linear) {
        if (!stepping) {
            // The instruction's first exit-region access, and nothing answered is waiting for
            // it: the read exit can be reported at once, without stepping to find it.
            if (count > 0) throw STEP_LEAVE;
            queue.add(VmExit.eptViolation(READ_QUAL, gpa, linear, size, 0, 0));
            readOutstanding = true;
            throw QUEUED_LEAVE;
        }
        if (used < count) {
            if (used == usedUnder.length) usedUnder = Arrays.copyOf(usedUnder, used * 2);
            usedUnder[used] = cpu.gpr[CpuState.RCX];
            long v = values[used++] & (size == 8 ? -1L : (1L << 8 * size) - 1); // the device's bytes only
            lastGpa = gpa;
            lastSize = size;
            lastValue = v;
            return v;
        }
        keepRetiredIterations();
        queue.add(VmExit.eptViolation(READ_QUAL, gpa, linear, size, 0, 0));
        readOutstanding = true;
        throw QUEUED_LEAVE;
    }

    @Override
    public void write(long gpa, int size, long value, long linear) {
        if (!stepping) throw STEP_LEAVE;
        int at = postedCount * 5;
        if (at == posted.length) posted = Arrays.copyOf(posted, at * 2);
        posted[at] = gpa;
        posted[at + 1] = size;
        posted[at + 2] = value;
        posted[at + 3] = linear;
        posted[at + 4] = cpu.gpr[CpuState.RCX];
        postedCount++;
    }

    @Override
    public long compareAndExchange(long gpa, int size, long expected, long update, long linear) {
        if (!stepping) return read(gpa, size, linear); // leaves
        // The locked read is the read this instruction just made of the same bytes, if any
        // (LOCK ADD reads, then compare-and-exchanges); else a read of its own (CMPXCHG).
        long old = lastGpa == gpa && lastSize == size ? lastValue : read(gpa, size, linear);
        if (old == expected) write(gpa, size, update, linear);
        return old;
    }

    @Override
    public long fetch(long gpa, int size, long linear) {
        queue.add(VmExit.eptViolation(FETCH_QUAL, gpa, linear, size, 0, 0));
        throw QUEUED_LEAVE;
    }

    // ---- the vCPU side

    /** Whether {@code e} (what the engine returned) is one of ours. */
    static boolean ours(Exit e) {
        return e == STEP || e == QUEUED;
    }

    /** Whether the monitor answered a read exit and the instruction is to be replayed. */
    boolean replayPending() {
        return count > 0 && !readOutstanding;
    }

    /** Before stepping one instruction in step mode. */
    void beginStep() {
        if (count > 0 && cpu.state.rip != answeredRip) count = 0; // the monitor moved the guest on
        stepping = true;
        used = 0;
        postedCount = 0;
        lastGpa = -1;
    }

    /**
     * After the step: {@code e} is what it returned, {@code startRip} where it began. Unless it
     * left through a read exit, the instruction is over: its posted writes are queued (all of
     * them if RIP moved on; else, a fault or a leave part way through, those of retired REP
     * iterations only) and the supplied values are spent.
     */
    void endStep(Exit e, long startRip) {
        stepping = false;
        if (e == QUEUED) return;
        if (cpu.state.rip != startRip) {
            queueWrites(Long.MIN_VALUE, true);
        } else {
            queueWrites(cpu.gpr[CpuState.RCX], false);
        }
        postedCount = 0;
        count = 0;
    }

    /** The monitor's answer to the outstanding read exit. */
    void complete(long value) {
        if (!readOutstanding) throw new IllegalStateException("no MMIO read exit is waiting for a value");
        readOutstanding = false;
        if (count == 0) answeredRip = cpu.state.rip; // the instruction the exit reported
        if (count == values.length) values = Arrays.copyOf(values, count * 2);
        values[count++] = value;
    }

    /** The next exit to report, or null; {@code rip} becomes the guest RIP of an MMIO one. */
    VmExit next(long rip) {
        VmExit x = queue.poll();
        if (x == null || x.reason() != ExitReason.EPT_VIOLATION) return x;
        return new VmExit(x.reason(), x.qualification(), x.instructionLength(), x.instructionInfo(), x.guestLinear(),
                rip, x.msr(), x.value(), x.entryFailure(), x.interruptionInfo(), x.errorCode(), x.guestPhysical(),
                x.accessSize());
    }

    boolean hasQueued() {
        return !queue.isEmpty();
    }

    /** Queues another exit behind the MMIO ones (an exit the same instruction caused after them). */
    void queueAfter(VmExit x) {
        queue.add(x);
    }

    /**
     * A read exits part way through a REP instruction: the iterations already retired (RCX moved
     * since) keep their effects. Their writes are reported before the read; their values are spent.
     */
    private void keepRetiredIterations() {
        long rcx = cpu.gpr[CpuState.RCX];
        queueWrites(rcx, false);
        int spent = 0;
        while (spent < used && usedUnder[spent] != rcx) spent++;
        if (spent > 0) {
            System.arraycopy(values, spent, values, 0, count - spent);
            count -= spent;
            used -= spent;
        }
        postedCount = 0;
    }

    /** Queues the posted writes made under an RCX other than {@code rcx} (or all); drops the rest. */
    private void queueWrites(long rcx, boolean all) {
        for (int k = 0; k < postedCount; k++) {
            int at = k * 5;
            if (all || posted[at + 4] != rcx) {
                queue.add(VmExit.eptViolation(WRITE_QUAL, posted[at], posted[at + 3], (int) posted[at + 1],
                        posted[at + 2], 0));
            }
        }
        postedCount = 0;
    }
}
