package org.jvmx.translator.exec;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.LazyFlags;
import org.jvmx.translator.cpu.Msr;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.mem.CodePages;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.LinearMemory;
import org.jvmx.translator.mem.PageWalker;
import org.jvmx.translator.mem.PagingState;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.translator.mem.SoftTlb;

/**
 * One virtual CPU as the semantics see it: its architectural state, its view of guest memory
 * (linear addresses through its soft TLB), the sensitive-instruction interface and the
 * execution counters. Both tiers run instructions against a {@code Cpu}; it is confined to
 * the thread running the vCPU.
 *
 * <p>Data accesses go through {@link #read}/{@link #write}: canonical check (#GP(0), or #SS(0)
 * through SS), then the soft TLB at the current privilege.
 */
public final class Cpu {
    public final CpuState state;
    /** {@code state.gpr}, the 16 GPRs in ModRM order. */
    public final long[] gpr;
    /** {@code state.flags}. */
    public final LazyFlags flags;
    public final LinearMemory memory;
    public final ExecStats stats = new ExecStats();
    /** Where CPUID, RDTSC, RDMSR, I/O, HLT and the other sensitive instructions go. */
    public Sensitive sensitive = new BareMetal();
    /** What CPUID answers (the monitor may configure it). */
    public CpuidModel cpuid = CpuidModel.DEFAULT;
    /** CPL == 3, cached for the TLB; {@link #refreshMode()} after changing CS or CR0. */
    public boolean user;
    /** Set when a guest write lands on a page holding translated code (the code cache clears it). */
    public boolean codeWritten;
    /** Execution stops before running the instruction at this address (-1: never). */
    public long stopAt = -1;
    /** Instructions left before the run loop returns {@link Exit#BUDGET}; compiled code counts it down per block. */
    public long budget;
    /**
     * A VM exit requested without an exception: set by {@link #leave} from a sensitive method
     * whose instruction does nothing after the call (see {@link Sensitive}); the instruction has
     * not executed and the run loop returns this exit with RIP on it.
     */
    public Exit pendingLeave;

    /**
     * Leaves the run loop before the current instruction, like throwing {@code new
     * LeaveRequest(exit, false)} but without the cost of an exception. Only for the sensitive
     * methods {@link Sensitive} names as tail calls.
     */
    public void leave(Exit exit) {
        pendingLeave = exit;
    }

    /**
     * Set by a monitor that waits for RFLAGS.IF to become 1 (an interrupt window, a pending
     * interrupt): both tiers then return right after an instruction that set IF ({@link Exit#INTERRUPT_FLAG_SET}, or
     * {@link Exit#INTERRUPT_FLAG_SET_BY_STI} when STI's one-instruction shadow follows).
     */
    public boolean watchInterruptFlag;
    /** 0, or 1 / 2 when the instruction just run set IF (2: STI); read and cleared by the engine. */
    public int interruptFlagRaised;

    /** For STI, POPF and IRET: IF is 1 after the instruction; {@code sti}: it was STI that set it. */
    public void interruptFlagSet(boolean wasClear, boolean sti) {
        if (watchInterruptFlag && wasClear) interruptFlagRaised = sti ? 2 : 1;
    }

    /** A monitor-side request to leave the run loop at the next block boundary. */
    public volatile boolean stopRequested;

    public Cpu(CpuState state, LinearMemory memory) {
        this.state = state;
        this.gpr = state.gpr;
        this.flags = state.flags;
        this.memory = memory;
        refreshMode();
    }

    /**
     * A CPU in 64-bit mode at CPL 0 (or 3 when {@code user}), paging off (linear = physical,
     * the flat mode of unit tests), SSE enabled (CR4.OSFXSR/OSXMMEXCPT), over {@code ram}.
     */
    public static Cpu flat64(PhysicalMemory ram, boolean user) {
        CodePages code = ram.codePages(); // shared by every CPU of this memory (cross-modifying code)
        SoftTlb tlb = new SoftTlb(new PageWalker(ram, CpuState.PHYSICAL_ADDRESS_BITS), ram, code, PagingState.FLAT);
        CpuState s = new CpuState();
        s.cr0 = CpuState.CR0_PE | CpuState.CR0_ET | CpuState.CR0_NE | CpuState.CR0_MP;
        s.cr4 = CpuState.CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
        s.efer = Msr.EFER_LME | Msr.EFER_LMA | Msr.EFER_SCE | Msr.EFER_NXE;
        int rpl = user ? 3 : 0;
        s.cs.set(0x08 | rpl, 0, 0xFFFF_FFFF, 0xA09B | rpl << 5);
        for (SegmentRegister r : new SegmentRegister[] {s.ds, s.es, s.fs, s.gs}) r.set(0, 0, 0xFFFF_FFFF, 0xC093 | rpl << 5);
        s.ss.set(0x10 | rpl, 0, 0xFFFF_FFFF, 0xC093 | rpl << 5);
        s.setRflags(0x202);
        Cpu c = new Cpu(s, new LinearMemory(tlb, ram, code));
        return c;
    }

    public static final long CR4_OSFXSR = 1L << 9, CR4_OSXMMEXCPT = 1L << 10;

    /**
     * Sets the accessed bit (type bit 0, descriptor bit 40) of the code or data descriptor at
     * {@code linear} when a segment register is loaded from it, with a locked supervisor write
     * as the processor does (SDM Vol. 3A, 3.4.5.1 and 8.1.2.2); returns the descriptor as loaded.
     */
    public long markDescriptorAccessed(long linear, long descriptor) {
        if ((descriptor & 1L << 44) == 0 || (descriptor & 1L << 40) != 0) return descriptor; // system, or already set
        long typeByte = (descriptor >>> 40) & 0xFF;
        memory.compareAndExchange(linear + 5, 1, typeByte, typeByte | 1, false);
        return descriptor | 1L << 40;
    }

    /** Recomputes what is cached from CS and CR0 (the privilege the TLB is indexed by). */
    public void refreshMode() {
        user = state.cpl() == 3;
    }

    // ---- data memory

    /** Whether every byte of [linear, linear + size) is canonical (checked at both ends: the range is tiny). */
    static boolean canonical(long linear, int size) {
        long last = linear + size - 1;
        return (linear << 16 >> 16) == linear && (last << 16 >> 16) == last;
    }

    public long read(long linear, int size) {
        if (!canonical(linear, size)) throw GuestFault.generalProtection(0);
        return memory.read(linear, size, user);
    }

    public void write(long linear, int size, long value) {
        if (!canonical(linear, size)) throw GuestFault.generalProtection(0);
        memory.write(linear, size, value, user);
    }

    /**
     * A read through SS (PUSH/POP, RSP/RBP-based operands) at a linear address: non-canonical is
     * #SS(0); outside 64-bit mode the SS limit and type are checked ({@link SegmentChecks}, #SS(0)),
     * the offset being the address minus SS.base.
     */
    public long readStack(long linear, int size) {
        if (!state.mode64()) return readChecked(CpuState.SS, linear, size);
        if (!canonical(linear, size)) throw GuestFault.stackFault(0);
        return memory.read(linear, size, user);
    }

    public void writeStack(long linear, int size, long value) {
        if (!state.mode64()) {
            writeChecked(CpuState.SS, linear, size, value);
            return;
        }
        if (!canonical(linear, size)) throw GuestFault.stackFault(0);
        memory.write(linear, size, value, user);
    }

    /**
     * Checks that a write of {@code size} bytes at {@code linear} would succeed, without writing.
     * Outside 64-bit mode a {@code stack} probe also checks the SS limit and type; other segments
     * need {@link #probeWriteChecked} (or {@code Operands.probeWriteMem}), which know the segment.
     */
    public void probeWrite(long linear, int size, boolean stack) {
        if (stack && !state.mode64()) {
            probeWriteChecked(CpuState.SS, linear, size);
            return;
        }
        if (!canonical(linear, size)) throw stack ? GuestFault.stackFault(0) : GuestFault.generalProtection(0);
        memory.probeWrite(linear, size, user);
    }

    // ---- segment-checked data memory outside 64-bit mode (SDM Vol. 3A, 5.3-5.6)

    /**
     * Outside 64-bit mode: a read of {@code size} bytes at {@code linear}, an address formed with
     * segment {@code seg}'s base (ES..GS numbering, {@link CpuState#ES}); the segment's limit and
     * type are checked first (#SS(0) through SS, #GP(0) otherwise). The checked entry point for
     * compiled 32/16-bit code.
     */
    public long readChecked(int seg, long linear, int size) {
        long offset = SegmentChecks.offset(this, seg, linear);
        SegmentChecks.read(this, seg, offset, size);
        return memory.read(SegmentChecks.linear(this, seg, offset), size, user);
    }

    /** Outside 64-bit mode: a checked write at a linear address formed with {@code seg}'s base (see {@link #readChecked}). */
    public void writeChecked(int seg, long linear, int size, long value) {
        long offset = SegmentChecks.offset(this, seg, linear);
        SegmentChecks.write(this, seg, offset, size);
        memory.write(SegmentChecks.linear(this, seg, offset), size, value, user);
    }

    /** Outside 64-bit mode: {@link #probeWrite} with the limit and type checks of {@code seg}. */
    public void probeWriteChecked(int seg, long linear, int size) {
        long offset = SegmentChecks.offset(this, seg, linear);
        SegmentChecks.write(this, seg, offset, size);
        memory.probeWrite(SegmentChecks.linear(this, seg, offset), size, user);
    }

    /**
     * A read at {@code offset} in segment {@code seg}, in any mode: in 64-bit mode only FS and GS
     * add their base and the address must be canonical; elsewhere the base is added (wrapping at
     * 4 GiB) after the limit and type checks. For implicit operands (stack, strings).
     */
    public long readData(int seg, long offset, int size) {
        if (state.mode64()) {
            long a = offset + base64(seg);
            return seg == CpuState.SS ? readStack(a, size) : read(a, size);
        }
        SegmentChecks.read(this, seg, offset, size);
        return memory.read(SegmentChecks.linear(this, seg, offset), size, user);
    }

    /** A write at {@code offset} in segment {@code seg}, in any mode (see {@link #readData}). */
    public void writeData(int seg, long offset, int size, long value) {
        if (state.mode64()) {
            long a = offset + base64(seg);
            if (seg == CpuState.SS) writeStack(a, size, value); else write(a, size, value);
            return;
        }
        SegmentChecks.write(this, seg, offset, size);
        memory.write(SegmentChecks.linear(this, seg, offset), size, value, user);
    }

    /** Checks that {@link #writeData} would succeed, without writing. */
    public void probeWriteData(int seg, long offset, int size) {
        if (state.mode64()) {
            probeWrite(offset + base64(seg), size, seg == CpuState.SS);
            return;
        }
        SegmentChecks.write(this, seg, offset, size);
        memory.probeWrite(SegmentChecks.linear(this, seg, offset), size, user);
    }

    /** The base a segment adds in 64-bit mode: FS and GS only (SDM Vol. 3A, 3.4.4). */
    private long base64(int seg) {
        return seg >= CpuState.FS ? state.seg[seg].base() : 0;
    }

    public void push64(long value) {
        long sp = gpr[CpuState.RSP] - 8;
        writeStack(sp, 8, value);
        gpr[CpuState.RSP] = sp;
    }

    public long pop64() {
        long sp = gpr[CpuState.RSP];
        long v = readStack(sp, 8);
        gpr[CpuState.RSP] = sp + 8;
        return v;
    }

    // ---- feature gates

    /** SSE/SSE2...SSE4.2 gate (SDM Vol. 1, 13.1.4): #UD without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS. */
    public void checkSse() {
        long cr0 = state.cr0;
        if ((cr0 & CpuState.CR0_EM) != 0 || (state.cr4 & CR4_OSFXSR) == 0) {
            throw GuestFault.invalidOpcode("SSE disabled (CR0.EM or !CR4.OSFXSR)");
        }
        if ((cr0 & CpuState.CR0_TS) != 0) throw GuestFault.deviceNotAvailable();
    }

    /** #GP(0) unless CPL 0 (privileged instructions, SDM Vol. 3A, 5.9). */
    public void checkCpl0() {
        if (state.cpl() != 0) throw GuestFault.generalProtection(0);
    }
}
