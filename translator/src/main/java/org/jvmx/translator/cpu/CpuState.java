package org.jvmx.translator.cpu;

import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.jvmx.translator.mem.Canonical;
import org.jvmx.translator.mem.PagingState;

/**
 * The architectural state of one vCPU: what the interpreter and generated code read and write,
 * and what vmx-runtime copies to and from the VMCS guest-state area.
 *
 * <h2>Layout (for generated code)</h2>
 * <ul>
 * <li>{@link #gpr}: a {@code long[16]} indexed by register number as encoded in ModRM/REX
 *     ({@link #RAX} = 0 … {@link #R15} = 15). A region loads the registers it uses into JVM
 *     locals with {@code getfield gpr; iconst; laload} and stores them back at exits.
 * <li>{@link #rip}: a public {@code long} field.
 * <li>{@link #flags}: the lazy status flags (CF PF AF ZF SF OF), see {@link LazyFlags};
 *     {@link #sysFlags}: every other defined RFLAGS bit (TF IF DF IOPL NT RF VM AC VIF VIP ID),
 *     eager. {@link #rflags()} assembles the architectural word.
 * <li>{@link #xmm}: a {@code long[32]}; XMMi is {@code xmm[2i]} (bits 63:0) and {@code xmm[2i+1]}
 *     (bits 127:64).
 * <li>{@link #seg}: ES CS SS DS FS GS in the sreg encoding order ({@link #ES} = 0 … {@link #GS} =
 *     5); {@link #cs}, {@link #ss}, {@link #fs}, {@link #gs} … name the same objects.
 * </ul>
 * Control registers, EFER and the MSRs are plain storage: reserved-bit checks on MOV CRn and the
 * side effects (TLB flush, mode change) belong to the instruction semantics. WRMSR goes through
 * {@link #writeMsr}, which does the checks the SDM asks of WRMSR.
 *
 * <p>IA32_FS_BASE and IA32_GS_BASE are not stored apart: they are the hidden bases of {@link #fs}
 * and {@link #gs} (SDM Vol. 3A, 3.4.4.1), so the two views cannot disagree.
 */
public final class CpuState {
    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7, R8 = 8, R9 = 9,
            R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    // CR0 / CR4 bits used here (SDM Vol. 3A, 2.5)
    public static final long CR0_PE = 1L, CR0_MP = 1L << 1, CR0_EM = 1L << 2, CR0_TS = 1L << 3, CR0_ET = 1L << 4,
            CR0_NE = 1L << 5, CR0_WP = 1L << 16, CR0_AM = 1L << 18, CR0_NW = 1L << 29, CR0_CD = 1L << 30,
            CR0_PG = 1L << 31;
    public static final long CR4_PSE = 1L << 4, CR4_PAE = 1L << 5, CR4_PGE = 1L << 7;

    /** CR0 after power-up or reset: CD, NW and ET set (SDM Vol. 3A, Table 10-1). */
    public static final long CR0_RESET = 0x6000_0010L;
    /** The MXCSR reset value: all exceptions masked, round to nearest (SDM Vol. 1, 10.2.3.1). */
    public static final int MXCSR_RESET = 0x1F80;
    public static final long DR6_RESET = 0xFFFF_0FF0L, DR7_RESET = 0x400L;

    public final long[] gpr = new long[16];
    public long rip;
    public final LazyFlags flags = new LazyFlags();
    /** RFLAGS bits in {@link Rflags#SYSTEM}; never holds status, fixed or reserved bits. */
    public long sysFlags;

    public final SegmentRegister[] seg = new SegmentRegister[6];
    public final SegmentRegister es, cs, ss, ds, fs, gs;
    public final SegmentRegister ldtr = new SegmentRegister(), tr = new SegmentRegister();
    public long gdtrBase, idtrBase;
    /** GDTR/IDTR limits, 16 bits. */
    public int gdtrLimit, idtrLimit;

    public long cr0, cr2, cr3, cr4, cr8;
    public long efer;
    public final long[] dr = new long[4];
    public long dr6, dr7;

    public long kernelGsBase, star, lstar, cstar, fmask, sysenterCs, sysenterEsp, sysenterEip, pat, apicBase, tscAux;
    /** Guest TSC = {@code tscSource} + {@code tscOffset} (the VMX "TSC offsetting" model). */
    public long tscOffset;
    /** Blocking by NMI (SDM Vol. 3A, 6.7.1): set when an NMI is delivered, cleared by IRET. */
    public boolean nmiBlocked;
    /** The host time base the TSC counts from; nanoTime (a nominal 1 GHz TSC) unless replaced, e.g. by a test. */
    public LongSupplier tscSource = System::nanoTime;

    public final long[] xmm = new long[32];
    public int mxcsr;
    public final FpuState fpu = new FpuState();

    /** Whether this is the bootstrap processor (sets IA32_APIC_BASE.BSP on reset). */
    public final boolean bsp;
    /**
     * MAXPHYADDR of jvmx's processors: what CPUID.80000008H:EAX[7:0] reports, where paging's
     * reserved address bits start, and the VMX physical-address width (one value everywhere).
     */
    public static final int PHYSICAL_ADDRESS_BITS = 39;

    /** Physical-address width (CPUID.80000008H:EAX[7:0]); bounds the IA32_APIC_BASE address field. */
    public int physAddrBits = PHYSICAL_ADDRESS_BITS;

    /** A bootstrap processor in its power-up state. */
    public CpuState() {
        this(true);
    }

    public CpuState(boolean bsp) {
        for (int i = 0; i < 6; i++) seg[i] = new SegmentRegister();
        es = seg[ES];
        cs = seg[CS];
        ss = seg[SS];
        ds = seg[DS];
        fs = seg[FS];
        gs = seg[GS];
        this.bsp = bsp;
        reset();
    }

    // ---- RFLAGS

    /** The architectural RFLAGS: lazy status flags, system flags, bit 1 set, reserved bits clear. */
    public long rflags() {
        return flags.rflags() | sysFlags | Rflags.FIXED1;
    }

    /** Splits {@code value} into the lazy status flags and the system flags; reserved bits are dropped. */
    public void setRflags(long value) {
        flags.setDirect(value);
        sysFlags = value & Rflags.SYSTEM;
    }

    /** DF as the string instructions read it. */
    public boolean df() { return (sysFlags & Rflags.DF) != 0; }

    public boolean interruptsEnabled() { return (sysFlags & Rflags.IF) != 0; }

    public int iopl() { return (int) ((sysFlags & Rflags.IOPL) >>> Rflags.IOPL_SHIFT); }

    // ---- modes

    public boolean protectedMode() { return (cr0 & CR0_PE) != 0; }

    public boolean virtual8086() { return protectedMode() && (sysFlags & Rflags.VM) != 0; }

    /** IA-32e mode active (EFER.LMA). */
    public boolean longMode() { return (efer & Msr.EFER_LMA) != 0; }

    /** 64-bit mode: IA-32e active and CS.L = 1 (SDM Vol. 3A, 2.2.1). */
    public boolean mode64() { return longMode() && cs.l(); }

    /**
     * The default operand and address size of the code being run: 64 in 64-bit mode, else 32 or
     * 16 from CS.D (protected and compatibility mode), 16 in real mode (SDM Vol. 3A, 3.4.5).
     */
    public int codeBits() {
        if (mode64()) return 64;
        if (!protectedMode()) return 16;
        return cs.db() ? 32 : 16;
    }

    /**
     * The current privilege level: 0 in real mode, 3 in virtual-8086 mode, otherwise CS.RPL
     * (the processor keeps CS.RPL equal to CPL, also for conforming code segments, SDM Vol. 3A,
     * 5.5; SS.DPL equals it too, which is what the VMCS guest state uses).
     */
    public int cpl() {
        if ((cr0 & CR0_PE) == 0) return 0;
        if ((sysFlags & Rflags.VM) != 0) return 3;
        return cs.selector() & 3;
    }

    /**
     * The paging view for the soft TLB: the mode of SDM Vol. 3A, Table 4-1 (CR0.PG = 0: none;
     * IA32_EFER.LMA = 1: 4-level; else CR4.PAE picks PAE or 32-bit paging), with CR0.WP, CR3,
     * CR4.PSE (32-bit paging only), CR4.PGE and EFER.NXE. The PDPTE registers of PAE paging are
     * not part of this register view: the TLB loads them (SoftTlb.setState / writeCr3).
     */
    public PagingState pagingState() {
        PagingState.Mode mode = (cr0 & CR0_PG) == 0 ? PagingState.Mode.NONE
                : longMode() ? PagingState.Mode.LEVEL4
                : (cr4 & CR4_PAE) != 0 ? PagingState.Mode.PAE : PagingState.Mode.BITS32;
        return new PagingState(mode, (cr0 & CR0_WP) != 0, cr3, (cr4 & CR4_PGE) != 0,
                (efer & Msr.EFER_NXE) != 0, mode == PagingState.Mode.BITS32 && (cr4 & CR4_PSE) != 0, null);
    }

    // ---- MSRs

    public long tsc() { return tscSource.getAsLong() + tscOffset; }

    public void setTsc(long value) { tscOffset = value - tscSource.getAsLong(); }

    /** RDMSR: the value, or empty when the MSR is not held here (the caller raises #GP(0)). */
    public OptionalLong readMsr(int number) {
        Msr m = Msr.byNumber(number);
        return m == null ? OptionalLong.empty() : OptionalLong.of(readMsr(m));
    }

    public long readMsr(Msr m) {
        return switch (m) {
            case IA32_TIME_STAMP_COUNTER -> tsc();
            case IA32_APIC_BASE -> apicBase;
            case IA32_SYSENTER_CS -> sysenterCs;
            case IA32_SYSENTER_ESP -> sysenterEsp;
            case IA32_SYSENTER_EIP -> sysenterEip;
            case IA32_PAT -> pat;
            case IA32_EFER -> efer;
            case IA32_STAR -> star;
            case IA32_LSTAR -> lstar;
            case IA32_CSTAR -> cstar;
            case IA32_FMASK -> fmask;
            case IA32_FS_BASE -> fs.base();
            case IA32_GS_BASE -> gs.base();
            case IA32_KERNEL_GS_BASE -> kernelGsBase;
            case IA32_TSC_AUX -> tscAux;
        };
    }

    /**
     * WRMSR: true when written; false when the MSR is not held here or the value is one WRMSR
     * refuses (the caller raises #GP(0) and nothing changed). Refused: non-canonical addresses
     * in the base/entry-point MSRs, reserved EFER bits or a change of EFER.LME while CR0.PG = 1,
     * reserved PAT memory types, reserved IA32_APIC_BASE bits, bits 63:32 of IA32_FMASK and
     * IA32_TSC_AUX. A write of EFER.LMA is ignored (the processor owns it).
     */
    public boolean writeMsr(int number, long value) {
        Msr m = Msr.byNumber(number);
        return m != null && writeMsr(m, value);
    }

    public boolean writeMsr(Msr m, long value) {
        switch (m) {
            case IA32_TIME_STAMP_COUNTER -> setTsc(value);
            case IA32_APIC_BASE -> {
                long reserved = 0xFFL | (1L << 9) | (physAddrBits >= 64 ? 0 : -1L << physAddrBits);
                if ((value & reserved) != 0) return false;
                apicBase = value;
            }
            case IA32_SYSENTER_CS -> sysenterCs = value;
            case IA32_SYSENTER_ESP -> {
                if (!Canonical.isCanonical(value)) return false;
                sysenterEsp = value;
            }
            case IA32_SYSENTER_EIP -> {
                if (!Canonical.isCanonical(value)) return false;
                sysenterEip = value;
            }
            case IA32_PAT -> {
                if (!validPat(value)) return false;
                pat = value;
            }
            case IA32_EFER -> {
                if ((value & ~Msr.EFER_DEFINED) != 0) return false;
                if ((cr0 & CR0_PG) != 0 && ((value ^ efer) & Msr.EFER_LME) != 0) return false;
                efer = (value & ~Msr.EFER_LMA) | (efer & Msr.EFER_LMA);
            }
            case IA32_STAR -> star = value;
            case IA32_LSTAR -> {
                if (!Canonical.isCanonical(value)) return false;
                lstar = value;
            }
            case IA32_CSTAR -> {
                if (!Canonical.isCanonical(value)) return false;
                cstar = value;
            }
            case IA32_FMASK -> {
                if ((value >>> 32) != 0) return false;
                fmask = value;
            }
            case IA32_FS_BASE -> {
                if (!Canonical.isCanonical(value)) return false;
                fs.setBase(value);
            }
            case IA32_GS_BASE -> {
                if (!Canonical.isCanonical(value)) return false;
                gs.setBase(value);
            }
            case IA32_KERNEL_GS_BASE -> {
                if (!Canonical.isCanonical(value)) return false;
                kernelGsBase = value;
            }
            case IA32_TSC_AUX -> {
                if ((value >>> 32) != 0) return false;
                tscAux = value;
            }
        }
        return true;
    }

    /** Each PAT entry must be a defined memory type: 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC- (SDM Vol. 3A, 13.12.2). */
    static boolean validPat(long value) {
        for (int i = 0; i < 8; i++) {
            int t = (int) (value >>> (8 * i)) & 0xFF;
            if (t > 7 || t == 2 || t == 3) return false;
        }
        return true;
    }

    /** SWAPGS: exchanges GS.base and IA32_KERNEL_GS_BASE. */
    public void swapgs() {
        long t = gs.base();
        gs.setBase(kernelGsBase);
        kernelGsBase = t;
    }

    // ---- reset and INIT (SDM Vol. 3A, 10.1.1 and Table 10-1)

    /**
     * Power-up / RESET state. RDX (EDX = processor signature, the CPUID.1:EAX value) is left
     * 0 for the caller to set; RAX is 0 (no BIST).
     */
    public void reset() {
        resetRegisters();
        cr0 = CR0_RESET;
        fpu.reset();
        java.util.Arrays.fill(xmm, 0);
        mxcsr = MXCSR_RESET;
        kernelGsBase = star = lstar = cstar = fmask = 0;
        sysenterCs = sysenterEsp = sysenterEip = 0;
        tscAux = 0;
        pat = Msr.PAT_DEFAULT;
        apicBase = bsp ? Msr.APIC_BASE_DEFAULT_BSP : Msr.APIC_BASE_DEFAULT_AP;
        setTsc(0);
    }

    /**
     * INIT: as reset, except that CR0.CD and CR0.NW, the x87/MMX, XMM and MXCSR state, the TSC
     * and the MSRs other than EFER (and the FS/GS bases, which are segment state) are unchanged.
     */
    public void init() {
        long cache = cr0 & (CR0_CD | CR0_NW);
        resetRegisters();
        cr0 = cache | CR0_ET;
    }

    /** The state common to reset and INIT. */
    private void resetRegisters() {
        java.util.Arrays.fill(gpr, 0);
        rip = 0xFFF0;
        setRflags(Rflags.FIXED1);
        // Segments: present, read/write (CS: execute/read), accessed; limit FFFFH.
        cs.set(0xF000, 0xFFFF_0000L, 0xFFFF, 0x9B);
        for (int i : new int[] {ES, SS, DS, FS, GS}) seg[i].set(0, 0, 0xFFFF, 0x93);
        // LDTR: present LDT; TR: present busy TSS (type 11, the one VM entry accepts, SDM Vol. 3C 27.3.1.2).
        ldtr.set(0, 0, 0xFFFF, 0x82);
        tr.set(0, 0, 0xFFFF, 0x8B);
        gdtrBase = idtrBase = 0;
        gdtrLimit = idtrLimit = 0xFFFF;
        cr2 = cr3 = cr4 = cr8 = 0;
        efer = 0;
        java.util.Arrays.fill(dr, 0);
        dr6 = DR6_RESET;
        dr7 = DR7_RESET;
    }

    // ---- XMM helpers

    public long xmmLow(int i) { return xmm[2 * i]; }

    public long xmmHigh(int i) { return xmm[2 * i + 1]; }

    public void setXmm(int i, long low, long high) {
        xmm[2 * i] = low;
        xmm[2 * i + 1] = high;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        String[] n = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
                "r14", "r15"};
        for (int i = 0; i < 16; i++) b.append(String.format("%s=%016x%s", n[i], gpr[i], i % 4 == 3 ? "\n" : " "));
        b.append(String.format("rip=%016x rflags=%08x cpl=%d cr0=%x cr3=%x cr4=%x efer=%x%n", rip, rflags(), cpl(),
                cr0, cr3, cr4, efer));
        String[] s = {"es", "cs", "ss", "ds", "fs", "gs"};
        for (int i = 0; i < 6; i++) b.append(s[i]).append(' ').append(seg[i]).append('\n');
        return b.toString();
    }
}
