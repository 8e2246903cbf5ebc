package org.jvmx.guest.host;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.jit.BytecodeJit;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PageTables;
import org.jvmx.translator.mem.PhysicalMemory;

/**
 * Runs a {@link HostCase} in jvmx the way {@link HostCpu} runs it natively: the same scratch
 * and code addresses (4-level paging maps only those pages, user-accessible, so a stray access
 * faults as it does in the host process), CPL 3, the code followed by int3 bytes, execution
 * stopping when RIP reaches the end of the code. The result is a {@link HostResult} with the
 * signal Linux would have delivered for the exception, so both sides compare directly.
 */
public final class JvmxCpu {
    private JvmxCpu() {
    }

    static final long RAM_SCRATCH = 0x10_0000, RAM_CODE = 0x20_0000, RAM_TABLES = 0x40_0000, RAM_GDT = 0x50_0000;
    /** Where the GDT is mapped (supervisor-only, as the kernel's is): far transfers read it. */
    static final long GDT_LINEAR = 0x5000_0000L;
    /**
     * Linux x86-64's GDT (arch/x86/include/asm/segment.h): kernel CS32 (0x08), CS (0x10), DS
     * (0x18), user CS32 (0x23, what compatibility-mode code runs in), user DS (0x2b), user CS
     * (0x33); accessed bits set, as Linux builds them.
     */
    static final long[] LINUX_GDT = {0, 0x00CF_9B00_0000_FFFFL, 0x00AF_9B00_0000_FFFFL, 0x00CF_9300_0000_FFFFL,
            0x00CF_FB00_0000_FFFFL, 0x00CF_F300_0000_FFFFL, 0x00AF_FB00_0000_FFFFL};
    static final int CODE_PAGES = 16;
    static final long CR4_FSGSBASE = 1L << 16;
    /** Instructions after which a run counts as the harness's timeout (SIGALRM). */
    public static final long BUDGET = 20_000_000;

    /** A jvmx run: the result, and the status flags the SDM leaves undefined at its end. */
    public record Run(HostResult result, long undefinedFlags) {
    }

    /** Runs {@code c} in jvmx with the given tier. */
    public static HostResult run(HostCase c, Engine.Tier tier) {
        return runWithFlags(c, tier).result();
    }

    /** As {@link #run}, with the undefined-flag mask the lazy-flags engine reports at the end. */
    public static Run runWithFlags(HostCase c, Engine.Tier tier) {
        return runWithHooks(c, tier, cpu -> { }, cpu -> { });
    }

    /**
     * As {@link #runWithFlags}, with {@code before} called on the vCPU once the case's state is
     * loaded (to set what the host cannot: MSRs, control registers, a sensitive-instruction
     * handler) and {@code after} once it stopped (to inspect state a {@link HostState} lacks).
     */
    public static Run runWithHooks(HostCase c, Engine.Tier tier, java.util.function.Consumer<Cpu> before,
            java.util.function.Consumer<Cpu> after) {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            MemorySegment scratch = ram.addRam(RAM_SCRATCH, HostCpu.SCRATCH_SIZE + 4095 & ~4095);
            MemorySegment code = ram.addRam(RAM_CODE, CODE_PAGES * 4096L);
            ram.addRam(RAM_TABLES, 64 * 4096L);
            MemorySegment gdt = ram.addRam(RAM_GDT, 4096);
            for (int k = 0; k < LINUX_GDT.length; k++) gdt.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * k, LINUX_GDT[k]);
            HostState in = c.state();
            MemorySegment.copy(in.scratch(), 0, scratch, ValueLayout.JAVA_BYTE, 0, in.scratch().length);
            code.fill((byte) 0xCC);
            MemorySegment.copy(c.code(), 0, code, ValueLayout.JAVA_BYTE, 0, c.code().length);

            PageTables pt = new PageTables(ram, RAM_TABLES);
            long rwu = PageTables.P | PageTables.RW | PageTables.US;
            for (long off = 0; off < HostCpu.SCRATCH_SIZE; off += 4096)
                pt.map4k(HostCpu.SCRATCH_BASE + off, RAM_SCRATCH + off, rwu | PageTables.XD);
            for (long off = 0; off < CODE_PAGES * 4096L; off += 4096)
                pt.map4k(HostCpu.CODE_BASE + off, RAM_CODE + off, rwu);
            pt.map4k(GDT_LINEAR, RAM_GDT, PageTables.P | PageTables.RW | PageTables.XD);

            Cpu cpu = Cpu.flat64(ram, true);
            CpuState s = cpu.state;
            // the selectors Linux gives a 64-bit process (__USER_CS, __USER_DS): FNSAVE/FNSTENV store CS
            s.cs.setSelector(0x33);
            s.ss.setSelector(0x2b);
            s.gdtrBase = GDT_LINEAR;
            s.gdtrLimit = 8 * LINUX_GDT.length - 1;
            s.cr3 = pt.cr3;
            s.cr0 |= CpuState.CR0_PG | CpuState.CR0_WP;
            cpu.memory.tlb().setState(s.pagingState());
            System.arraycopy(in.gpr(), 0, s.gpr, 0, 16);
            s.setRflags((in.rflags() & HostState.LOADED_FLAGS) | 0x202);
            s.mxcsr = in.mxcsr() & 0xFFFF;
            s.fpu.finit(); // the harness runs FNINIT before each case
            s.cr4 |= CR4_FSGSBASE; // as Linux sets it for user space (RDFSBASE and friends work natively)
            System.arraycopy(in.xmm(), 0, s.xmm, 0, 32);
            s.rip = HostCpu.CODE_BASE;
            long end = HostCpu.CODE_BASE + c.code().length;
            cpu.stopAt = end;

            before.accept(cpu);
            Exit exit;
            try (Engine engine = new Engine(cpu, tier, tier == Engine.Tier.INTERPRET ? null : new BytecodeJit())) {
                exit = engine.run(BUDGET);
            }
            after.accept(cpu);
            byte[] outScratch = scratch.asSlice(0, HostCpu.SCRATCH_SIZE).toArray(ValueLayout.JAVA_BYTE);
            HostState out = new HostState(s.gpr.clone(), s.rflags(), s.mxcsr, s.xmm.clone(), outScratch);
            HostResult r = switch (exit.kind()) {
                case STOPPED -> new HostResult(0, end, 0, out);
                case BUDGET -> new HostResult(HostResult.SIGALRM, s.rip, 0, out);
                case FAULT -> exit.detail() instanceof GuestFault g && g.isSoftwareInterrupt()
                        ? softwareInterrupt(exit.vector(), s.rip, out)
                        : new HostResult(signal(exit.vector()), s.rip,
                                exit.vector() == GuestFault.PF ? exit.faultAddress() : 0, out);
                default -> throw new IllegalStateException("unexpected exit " + exit + " at " + Long.toHexString(s.rip));
            };
            return new Run(r, s.flags.undefinedMask());
        }
    }

    /**
     * INT n from user mode on Linux: only the gates of #BP, #OF (and 0x80, the 32-bit system
     * call, not used here) are open to CPL 3; any other vector is #GP(n * 8 + 2), a SIGSEGV.
     */
    static HostResult softwareInterrupt(int vector, long ripAfter, HostState out) {
        if (vector == GuestFault.BP || vector == GuestFault.OF) return new HostResult(HostResult.SIGTRAP, ripAfter, 0, out);
        // The #GP is a fault: RIP on the INT instruction (CD ib, two bytes).
        return new HostResult(HostResult.SIGSEGV, ripAfter - 2, 0, out);
    }

    /** The signal Linux delivers to a user process for an exception vector. */
    public static int signal(int vector) {
        return switch (vector) {
            case GuestFault.DE, GuestFault.MF, GuestFault.XM -> HostResult.SIGFPE;
            case GuestFault.UD -> HostResult.SIGILL;
            case GuestFault.DB, GuestFault.BP -> HostResult.SIGTRAP;
            case GuestFault.SS, GuestFault.AC -> HostResult.SIGBUS;
            default -> HostResult.SIGSEGV;
        };
    }
}
