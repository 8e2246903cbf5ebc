package org.jvmx.translator.exec;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.Register;
import org.jvmx.translator.cpu.CpuState;

/**
 * Operand access for the semantics: effective addresses (SDM Vol. 1, 3.7.5) and reading and
 * writing general-purpose register, memory and immediate operands at their size, with the
 * 64-bit-mode register rules (a 32-bit write zero-extends, 8/16-bit writes merge, AH..BH are
 * bits 15:8 of RAX..RBX; SDM Vol. 1, 3.4.1.1).
 */
public final class Operands {
    private Operands() {
    }

    private static final int REGS = Register.values().length;
    /** GPR number of each register ordinal, -1 for non-GPRs. */
    static final int[] GPR = new int[REGS];
    /** Bit position of the register inside its GPR (8 for AH..BH). */
    static final int[] SHIFT = new int[REGS];
    /** Width in bits of each GPR ordinal. */
    static final int[] BITS = new int[REGS];

    static {
        java.util.Arrays.fill(GPR, -1);
        for (Register r : Register.values()) {
            int o = r.ordinal();
            if (o >= Register.AL.ordinal() && o <= Register.R15B.ordinal()) {
                int n = o - Register.AL.ordinal();
                if (n >= 4 && n < 8) {
                    GPR[o] = n - 4;
                    SHIFT[o] = 8;
                } else {
                    GPR[o] = n < 4 ? n : n - 4;
                }
                BITS[o] = 8;
            } else if (o >= Register.AX.ordinal() && o <= Register.R15W.ordinal()) {
                GPR[o] = o - Register.AX.ordinal();
                BITS[o] = 16;
            } else if (o >= Register.EAX.ordinal() && o <= Register.R15D.ordinal()) {
                GPR[o] = o - Register.EAX.ordinal();
                BITS[o] = 32;
            } else if (o >= Register.RAX.ordinal() && o <= Register.R15.ordinal()) {
                GPR[o] = o - Register.RAX.ordinal();
                BITS[o] = 64;
            }
        }
    }

    /** GPR number (0-15, ModRM order) of {@code r}, or -1. */
    public static int gprIndex(Register r) {
        return GPR[r.ordinal()];
    }

    /** Bit position of {@code r} in its GPR: 8 for AH, CH, DH, BH, else 0. */
    public static int gprShift(Register r) {
        return SHIFT[r.ordinal()];
    }

    /** XMM number of {@code r} (XMM0..XMM31), or -1. */
    public static int xmmIndex(Register r) {
        int n = r.ordinal() - Register.XMM0.ordinal();
        return n >= 0 && n < 32 ? n : -1;
    }

    /** All-ones mask of {@code bits} bits (64 gives -1). */
    public static long mask(int bits) {
        return bits >= 64 ? -1L : (1L << bits) - 1;
    }

    /** Sign-extends the low {@code bits} bits of {@code v}. */
    public static long signExtend(long v, int bits) {
        int s = 64 - bits;
        return v << s >> s;
    }

    // ---- registers

    /** Reads GPR operand {@code r} zero-extended to 64 bits. */
    public static long readReg(long[] gpr, Register r) {
        int o = r.ordinal();
        long v = gpr[GPR[o]] >>> SHIFT[o];
        return BITS[o] == 64 ? v : v & mask(BITS[o]);
    }

    /** Writes GPR operand {@code r} with the 64-bit-mode rules (32-bit zero-extends, 8/16-bit merge). */
    public static void writeReg(long[] gpr, Register r, long v) {
        int o = r.ordinal();
        int g = GPR[o];
        switch (BITS[o]) {
            case 64 -> gpr[g] = v;
            case 32 -> gpr[g] = v & 0xFFFF_FFFFL;
            case 16 -> gpr[g] = (gpr[g] & ~0xFFFFL) | (v & 0xFFFF);
            default -> {
                int sh = SHIFT[o];
                gpr[g] = (gpr[g] & ~(0xFFL << sh)) | ((v & 0xFF) << sh);
            }
        }
    }

    /** Writes the low {@code bits} of GPR {@code g} with the 64-bit-mode rules. */
    public static void writeGpr(long[] gpr, int g, int bits, long v) {
        switch (bits) {
            case 64 -> gpr[g] = v;
            case 32 -> gpr[g] = v & 0xFFFF_FFFFL;
            case 16 -> gpr[g] = (gpr[g] & ~0xFFFFL) | (v & 0xFFFF);
            default -> gpr[g] = (gpr[g] & ~0xFFL) | (v & 0xFF);
        }
    }

    // ---- memory

    /**
     * The linear address of the memory operand: base + index * scale + displacement (RIP-relative
     * operands carry their absolute address), truncated to 32 bits with a 67 prefix, plus the FS
     * or GS base (the other segment bases are 0 in 64-bit mode, SDM Vol. 3A, 3.4.4). Outside
     * 64-bit mode the segment's base is added and the sum wraps at 4 GiB; the limit and type
     * checks come with the access ({@link #readMem}, {@link #writeMem}), which recover the
     * offset as the address minus the base.
     */
    public static long address(Cpu c, Instruction i) {
        long a = i.memDisplacement();
        if (!i.isRipRelative()) {
            Register b = i.memBase();
            if (b != Register.NONE) a += c.gpr[GPR[b.ordinal()]];
            Register x = i.memIndex();
            // The index is read at its width: XLAT's is AL (zero-extended).
            if (x != Register.NONE && GPR[x.ordinal()] >= 0) a += readReg(c.gpr, x) * i.memScale();
        }
        if (i.addressSize() == 32) a &= 0xFFFF_FFFFL;
        else if (i.addressSize() == 16) a &= 0xFFFF;
        if (!c.state.mode64()) return (a + c.state.seg[segmentIndex(i.memSegment())].base()) & 0xFFFF_FFFFL;
        return a + segmentBase(c, i.memSegment());
    }

    private static int segmentIndex(Register seg) {
        return seg.ordinal() - Register.ES.ordinal();
    }

    /**
     * The base the segment register adds in 64-bit mode: FS and GS only. (Outside 64-bit mode
     * every segment's base is added and linear addresses wrap at 4 GiB, see {@link #address}.)
     */
    public static long segmentBase(Cpu c, Register seg) {
        if (seg == Register.FS) return c.state.fs.base();
        if (seg == Register.GS) return c.state.gs.base();
        return 0;
    }

    /** True when the memory operand goes through SS (base RSP or RBP, or an SS override): faults are #SS. */
    public static boolean isStackAccess(Instruction i) {
        return i.memSegment() == Register.SS;
    }

    /** The segment register (ES..GS numbering, {@link CpuState#ES}) of the memory operand, prefix or default. */
    public static int segment(Instruction i) {
        return segmentIndex(i.memSegment());
    }

    /**
     * Reads {@code bytes} at the memory operand's linear address {@code addr} (from {@link
     * #address}, possibly plus a displacement for multi-part operands): #SS for SS-based
     * operands, #GP otherwise. Outside 64-bit mode the segment's limit and type are checked
     * first (SDM Vol. 3A, 5.3-5.6; {@link SegmentChecks}).
     */
    public static long readMem(Cpu c, Instruction i, long addr, int bytes) {
        if (!c.state.mode64()) return c.readChecked(segment(i), addr, bytes);
        return isStackAccess(i) ? c.readStack(addr, bytes) : c.read(addr, bytes);
    }

    /** Writes {@code bytes} at the memory operand's linear address {@code addr} (checked as {@link #readMem}). */
    public static void writeMem(Cpu c, Instruction i, long addr, int bytes, long v) {
        if (!c.state.mode64()) {
            c.writeChecked(segment(i), addr, bytes, v);
            return;
        }
        if (isStackAccess(i)) c.writeStack(addr, bytes, v); else c.write(addr, bytes, v);
    }

    /**
     * Checks that a write of {@code bytes} at the memory operand's linear address {@code addr}
     * would succeed (segment checks outside 64-bit mode, canonical, paging), without writing:
     * for instructions that must fault before their first store.
     */
    public static void probeWriteMem(Cpu c, Instruction i, long addr, int bytes) {
        if (!c.state.mode64()) c.probeWriteChecked(segment(i), addr, bytes);
        else c.probeWrite(addr, bytes, isStackAccess(i));
    }

    /**
     * The segment and canonical checks of a write of {@code bytes} at the memory operand's linear
     * address, for paths that then go to {@code c.memory} directly (LOCK'd compare-and-exchange):
     * #GP(0)/#SS(0) as {@link #writeMem} would raise them. Paging faults come from the access itself.
     */
    public static void checkWrite(Cpu c, Instruction i, long addr, int bytes) {
        if (!c.state.mode64()) {
            SegmentChecks.writeLinear(c, segment(i), addr, bytes);
        } else if ((addr << 16 >> 16) != addr) {
            throw isStackAccess(i) ? org.jvmx.translator.mem.GuestFault.stackFault(0)
                    : org.jvmx.translator.mem.GuestFault.generalProtection(0);
        }
    }

    // ---- whole operands

    /**
     * Operand {@code op}: a GPR, memory at its access size, or an immediate (as the decoder
     * extended it). Register and memory values are zero-extended from their width.
     */
    public static long read(Cpu c, Instruction i, int op) {
        OperandKind k = i.operandKind(op);
        return switch (k) {
            case REGISTER -> readReg(c.gpr, i.register(op));
            case MEMORY -> readMem(c, i, address(c, i), i.operandBits(op) >>> 3);
            case IMMEDIATE -> i.immediate(op);
            default -> throw new IllegalStateException(i + ": operand " + op + " is " + k);
        };
    }

    /** Writes operand {@code op} (a GPR or memory) at its width. */
    public static void write(Cpu c, Instruction i, int op, long v) {
        if (i.operandKind(op) == OperandKind.REGISTER) {
            writeReg(c.gpr, i.register(op), v);
        } else {
            writeMem(c, i, address(c, i), i.operandBits(op) >>> 3, v);
        }
    }

    /**
     * Read-modify-write of operand {@code op} (a GPR or memory) with {@code f(old, src)},
     * returning the old value. With a LOCK prefix on a memory operand the update is atomic: a
     * compare-and-exchange loop on guest memory ({@code f} may run more than once; it must
     * only compute and record flags). Without LOCK, a plain read then write.
     */
    public static long modify(Cpu c, Instruction i, int op, long src, java.util.function.LongBinaryOperator f) {
        if (i.operandKind(op) == OperandKind.REGISTER) {
            Register r = i.register(op);
            long old = readReg(c.gpr, r);
            writeReg(c.gpr, r, f.applyAsLong(old, src));
            return old;
        }
        long addr = address(c, i);
        int bytes = i.operandBits(op) >>> 3;
        if (!i.hasLock()) {
            // A segment that forbids the write faults before f records any flags (precise).
            if (!c.state.mode64()) SegmentChecks.writeLinear(c, segment(i), addr, bytes);
            long old = readMem(c, i, addr, bytes);
            writeMem(c, i, addr, bytes, f.applyAsLong(old, src));
            return old;
        }
        return lockedModify(c, i, addr, bytes, src, f);
    }

    /** {@link #lockedModify(Cpu, long, int, long, java.util.function.LongBinaryOperator)} with the segment checks of {@code i}'s memory operand. */
    public static long lockedModify(Cpu c, Instruction i, long addr, int bytes, long src,
            java.util.function.LongBinaryOperator f) {
        checkWrite(c, i, addr, bytes);
        return lockedModify(c, addr, bytes, src, f);
    }

    /**
     * The LOCK path of {@link #modify}: a CAS loop on the linear address. No segment checks
     * (the instruction is not known): outside 64-bit mode use the overload taking it.
     */
    public static long lockedModify(Cpu c, long addr, int bytes, long src, java.util.function.LongBinaryOperator f) {
        if ((addr << 16 >> 16) != addr) throw org.jvmx.translator.mem.GuestFault.generalProtection(0);
        long m = mask(bytes * 8);
        c.memory.probeWrite(addr, bytes, c.user); // a locked read-modify-write faults as a write
        long old = c.memory.read(addr, bytes, c.user);
        while (true) {
            long next = f.applyAsLong(old, src);
            long seen = c.memory.compareAndExchange(addr, bytes, old, next, c.user);
            if (seen == old) return old;
            old = seen & m;
        }
    }

    /** Operand {@code op}'s width in bits. */
    public static int bits(Instruction i, int op) {
        return i.operandBits(op);
    }

    /** True when operand {@code op} is in memory. */
    public static boolean isMemory(Instruction i, int op) {
        return i.operandKind(op) == OperandKind.MEMORY;
    }

    /** RSP as an index into {@link Cpu#gpr}. */
    public static final int RSP = CpuState.RSP;
}
