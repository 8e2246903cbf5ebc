package org.jvmx.decoder;

/**
 * One decoded instruction. Mutable and reusable: {@link Decoder#decode} fills it in place, so a
 * decode loop allocates nothing. Copy what you keep ({@link #copy()}).
 *
 * <p>Operands are in Intel order (destination first). At most one operand is {@link
 * OperandKind#MEMORY}; its parts are {@link #memBase()}, {@link #memIndex()}, {@link #memScale()},
 * {@link #memDisplacement()} and {@link #memSegment()}.
 */
public final class Instruction {
    /** Prefix bits of {@link #prefixes()}. */
    public static final int P_LOCK = 1, P_REP = 2, P_REPNE = 4, P_OSIZE = 8, P_ASIZE = 16, P_SEG = 32,
            P_REX = 64, P_VEX = 128, P_EVEX = 256;

    /** Encodings. */
    public enum Encoding { LEGACY, VEX, EVEX, XOP }

    static final int MAX_OPS = 5;

    long ip;
    int length;
    int form = -1;
    /** The InvalidReason ordinal (0: NONE): a byte, so that decoding stores no reference. */
    byte invalid;
    final byte[] opKind = new byte[MAX_OPS];
    final short[] opReg = new short[MAX_OPS];
    final short[] opBits = new short[MAX_OPS];
    final long[] opValue = new long[MAX_OPS];
    /**
     * Set by the decoder's legacy fast path: the operands' kinds, registers and sizes are not stored
     * in the arrays but derived on access from this row of the decoder's resolved operand table and
     * the ModRM and opcode bytes in {@link #lazyCtx} (ModRM: bits 0-7, opcode: 8-15) and the prefix state in
     * {@link #lazyPf}; -1 when the arrays hold them. Immediate values are
     * always in {@link #opValue}. The general decoder stores lazyCtx's ModRM and opcode bytes too
     * (for {@link #opcodeModrm}), with lazyRow -1.
     */
    int lazyRow = -1;
    int lazyCtx;
    /**
     * With {@link #lazyRow}: the fast path's packed prefix state, and the memory operand's ModRM (bits 0-7),
     * SIB (8-15) and displacement bytes (16-19); memSeg, memBase, memIndex, memScale, memBits, ripRel,
     * dispBytes, osize, asize, prefixes and segPrefix are then derived from them on access.
     */
    int lazyPf, lazyMem;
    /**
     * The prefix state of the fast-path instruction that set lazyMem; lazyMem's LAZY_MEM_PENDING bit says that its
     * memory fields were not yet stored in memSeg, memBase, memIndex, memScale and dispBytes ({@link #materialize}).
     */
    int lazyMemPf;
    static final int LAZY_MEM_PENDING = 1 << 31;
    short memSeg, memBase, memIndex;
    byte memScale;
    long memDisp;
    short memBits;
    boolean ripRel;
    /**
     * Set by the decoder's fast path for an instruction without a ModRM memory operand: memSeg, memBase,
     * memIndex, memScale, memDisp and dispBytes are then not stored, and read as none (0; scale 1).
     */
    boolean noMem;
    byte dispBytes;
    byte osize, asize;
    /** The decoding mode's bitness when the full decoder decoded outside 64-bit mode (16 or 32), else 0 (64-bit mode). */
    byte legacyBits;
    int prefixes;
    short segPrefix;
    /**
     * The VEX/EVEX state, packed (0 for legacy instructions): encoding (bits 0-1), opmask (2-4),
     * zeroing (5), broadcast (6), SAE (7), VSIB (8), rounding control + 1 (9-11), vector bits (12-21).
     */
    int evex;

    static int packEvex(int encoding, int vectorBits, int opmask, boolean zeroing, boolean broadcast, boolean sae,
            int rounding, boolean vsib) {
        return encoding | opmask << 2 | (zeroing ? 1 << 5 : 0) | (broadcast ? 1 << 6 : 0) | (sae ? 1 << 7 : 0)
                | (vsib ? 1 << 8 : 0) | (rounding + 1) << 9 | vectorBits << 12;
    }

    /**
     * Stores the derived fields of the last fast-path instructions (lazyRow >= 0) as the fast path once stored
     * them eagerly (the memory fields those of the last one with a memory operand), so that whatever the general
     * decoder leaves unset afterwards reads exactly as before.
     */
    void materialize() {
        if (lazyMem < 0) {
            int pf = lazyMemPf, mem = lazyMem;
            memBase = (short) FastPath.lazyMemBase(pf, mem);
            memIndex = (short) FastPath.lazyMemIndex(pf, mem);
            memScale = (byte) FastPath.lazyMemScale(mem);
            dispBytes = (byte) FastPath.lazyDispBytes(mem);
            memSeg = (short) FastPath.lazyMemSeg(pf, mem);
            lazyMem = mem & ~LAZY_MEM_PENDING;
        }
        ripRel = !noMem && FastPath.lazyRip(lazyMem);
        memBits = (short) FastPath.lazyMemBits(lazyRow);
        osize = (byte) FastPath.lazyOsize(lazyRow);
        asize = (byte) FastPath.lazyAsize(lazyPf);
        prefixes = FastPath.lazyPrefixes(lazyPf, form);
        segPrefix = (short) FastPath.lazySegPrefix(lazyPf);
    }

    /** Stores every lazily derived field through its accessor, then drops the lazy state. */
    private void makeEager() {
        int n = operandCount();
        byte[] k = new byte[n];
        short[] r = new short[n], b = new short[n];
        for (int i = 0; i < n; i++) {
            k[i] = (byte) kindAt(i);
            r[i] = (short) regAt(i);
            b[i] = (short) bitsAt(i);
        }
        short seg = (short) memSegment().ordinal(), base = (short) memBaseOrd(), index = (short) memIndexOrd();
        byte scale = (byte) memScale(), disp = (byte) memDisplacementBytes();
        short mbits = (short) memBits();
        boolean rip = isRipRelative();
        byte os = (byte) operandSize(), as = (byte) addressSize();
        int pfx = prefixes();
        short segp = (short) segPrefixOrd();
        lazyRow = -1;
        System.arraycopy(k, 0, opKind, 0, n);
        System.arraycopy(r, 0, opReg, 0, n);
        System.arraycopy(b, 0, opBits, 0, n);
        memSeg = seg;
        memBase = base;
        memIndex = index;
        memScale = scale;
        dispBytes = disp;
        memBits = mbits;
        ripRel = rip;
        osize = os;
        asize = as;
        prefixes = pfx;
        segPrefix = segp;
    }

    /** The mnemonic's ordinal ({@code mnemonic().ordinal()}, 0 for an invalid instruction) without the enum lookup. */
    public int mnemonicId() { return form < 0 ? 0 : Tables.MNEMONIC[form]; }

    /**
     * A copy that later decodes do not change, with every field stored (nothing left to derive
     * lazily), so that code executing it many times reads plain fields.
     */
    public Instruction copy() {
        Instruction c = new Instruction();
        c.ip = ip; c.length = length; c.form = form; c.invalid = invalid;
        c.lazyRow = lazyRow;
        c.lazyCtx = lazyCtx;
        c.lazyPf = lazyPf;
        c.lazyMem = lazyMem;
        c.lazyMemPf = lazyMemPf;
        System.arraycopy(opKind, 0, c.opKind, 0, MAX_OPS);
        System.arraycopy(opReg, 0, c.opReg, 0, MAX_OPS);
        System.arraycopy(opBits, 0, c.opBits, 0, MAX_OPS);
        System.arraycopy(opValue, 0, c.opValue, 0, MAX_OPS);
        c.memSeg = memSeg; c.memBase = memBase; c.memIndex = memIndex; c.memScale = memScale; c.memDisp = memDisp;
        c.memBits = memBits; c.ripRel = ripRel; c.noMem = noMem; c.dispBytes = dispBytes;
        c.osize = osize; c.asize = asize; c.prefixes = prefixes; c.segPrefix = segPrefix;
        c.evex = evex;
        c.legacyBits = lazyRow >= 0 ? 0 : legacyBits;
        if (c.lazyRow >= 0) c.makeEager();
        return c;
    }

    // ---- identity

    /** Address of the instruction. */
    public long ip() { return ip; }

    /**
     * The opcode byte (bits 15:8) and the ModR/M byte (bits 7:0) as decoded, for an instruction with a
     * ModR/M byte (0 for one without): what the x87 keeps as its last opcode (SDM Vol. 1, 8.1.9).
     */
    public int opcodeModrm() { return lazyCtx & 0xFFFF; }

    /** Length in bytes (1..15). For an invalid instruction: the bytes examined to find it invalid. */
    public int length() { return length; }

    /** Address of the next instruction. */
    public long nextIp() { return ip + length; }

    public boolean isInvalid() { return invalid != 0; }

    public InvalidReason invalidReason() { return REASONS[invalid]; }

    private static final InvalidReason[] REASONS = InvalidReason.values();

    public Mnemonic mnemonic() { return Mnemonic.of(mnemonicId()); }

    public Encoding encoding() { return ENCODINGS[evex & 3]; }

    /** The spec line this instruction was decoded by, as {@code file:line} (for diagnostics). */
    public String specSource() {
        return form < 0 ? "-" : Tables.FILES[Tables.SOURCE_FILE[form]] + ":" + Tables.SOURCE_LINE[form];
    }

    // ---- operands

    public int operandCount() { return form < 0 ? 0 : Tables.OP_COUNT[form]; }

    private static final OperandKind[] KINDS = OperandKind.values();
    private static final Encoding[] ENCODINGS = Encoding.values();

    public OperandKind operandKind(int i) { return KINDS[kindAt(i)]; }

    /** The register of operand {@code i}, or NONE when it is not a register. */
    public Register register(int i) { return Register.ofOrdinal(regAt(i)); }

    /** Size of operand {@code i} in bits (register width, memory access size, immediate size). 0 when none. */
    public int operandBits(int i) { return bitsAt(i); }

    /** Operand {@code i}'s OperandKind ordinal. */
    int kindAt(int i) {
        return lazyRow >= 0 && i >= 0 && i < operandCount() ? FastPath.lazyKind(lazyRow, i, lazyCtx) : opKind[i];
    }

    /** Operand {@code i}'s register ordinal (0: none). */
    int regAt(int i) {
        return lazyRow >= 0 && i >= 0 && i < operandCount() ? FastPath.lazyReg(lazyRow, i, lazyCtx, lazyPf) : opReg[i];
    }

    /** Operand {@code i}'s size in bits. */
    int bitsAt(int i) {
        return lazyRow >= 0 && i >= 0 && i < operandCount() ? FastPath.lazyBits(lazyRow, i, lazyCtx) : opBits[i];
    }

    /**
     * Value of an immediate operand, sign- or zero-extended as the instruction uses it. The far pointer
     * of CALL/JMP ptr16:16/32 (9A, EA; outside 64-bit mode) is two immediates: operand 0 the offset
     * (16 or 32 bits), operand 1 the selector; such a far branch has no {@link #branchTarget()}.
     */
    public long immediate(int i) { return opValue[i]; }

    /** Absolute target of the relative branch operand. */
    public long branchTarget() {
        for (int i = 0, n = operandCount(); i < n; i++) if (kindAt(i) == OperandKind.BRANCH.ordinal()) return opValue[i];
        return 0;
    }

    public Register memSegment() { return Register.ofOrdinal(noMem ? 0 : lazyRow >= 0 ? FastPath.lazyMemSeg(lazyPf, lazyMem) : memSeg); }

    public Register memBase() { return Register.ofOrdinal(memBaseOrd()); }

    /** memBase()'s ordinal. */
    int memBaseOrd() { return noMem ? 0 : lazyRow >= 0 ? FastPath.lazyMemBase(lazyPf, lazyMem) : memBase; }

    /** memIndex()'s ordinal. */
    int memIndexOrd() { return noMem ? 0 : lazyRow >= 0 ? FastPath.lazyMemIndex(lazyPf, lazyMem) : memIndex; }

    /** segmentPrefix()'s ordinal. */
    int segPrefixOrd() { return lazyRow >= 0 ? FastPath.lazySegPrefix(lazyPf) : segPrefix; }

    public Register memIndex() { return Register.ofOrdinal(memIndexOrd()); }

    public int memScale() { return noMem ? 1 : lazyRow >= 0 ? FastPath.lazyMemScale(lazyMem) : memScale; }

    /** Displacement, sign-extended to 64 bits; for RIP-relative operands, the absolute address. */
    public long memDisplacement() { return noMem ? 0 : memDisp; }

    /** Number of displacement bytes in the encoding (0, 1, 2, 4 or 8). */
    public int memDisplacementBytes() { return noMem ? 0 : lazyRow >= 0 ? FastPath.lazyDispBytes(lazyMem) : dispBytes; }

    /** Size in bits of the memory access (0 when the instruction does not access a sized operand). */
    public int memBits() { return lazyRow >= 0 ? FastPath.lazyMemBits(lazyRow) : memBits; }

    public boolean isRipRelative() { return lazyRow >= 0 ? !noMem && FastPath.lazyRip(lazyMem) : ripRel; }

    /** VSIB addressing (gathers, scatters): {@link #memIndex()} is a vector register. */
    public boolean isVsib() { return (evex & 1 << 8) != 0; }

    // ---- sizes and prefixes

    /** Effective operand size in bits (16, 32 or 64). */
    public int operandSize() { return lazyRow >= 0 ? FastPath.lazyOsize(lazyRow) : osize; }

    /** Effective address size in bits (32 or 64). */
    public int addressSize() { return lazyRow >= 0 ? FastPath.lazyAsize(lazyPf) : asize; }

    /**
     * The mode the instruction was decoded in: 64 (64-bit mode), 32 or 16 (a {@link Decoder} made for
     * protected / real mode, {@link Decoder#of(int)}). Operand and address sizes, registers and
     * branch targets follow that mode's defaults.
     */
    public int bitness() { return lazyRow >= 0 || legacyBits == 0 ? 64 : legacyBits; }

    /** Prefix bits ({@link #P_LOCK}, ...). */
    public int prefixes() { return lazyRow >= 0 ? FastPath.lazyPrefixes(lazyPf, form) : prefixes; }

    public boolean hasLock() { return (prefixes() & P_LOCK) != 0; }

    /** F3 as REP/REPE on a string instruction. */
    public boolean hasRep() { return (prefixes() & P_REP) != 0; }

    /** F2 as REPNE on a string instruction. */
    public boolean hasRepne() { return (prefixes() & P_REPNE) != 0; }

    /** The segment override prefix in effect, or NONE. */
    public Register segmentPrefix() { return Register.ofOrdinal(segPrefixOrd()); }

    // ---- EVEX

    /** Opmask register number 0..7 (0: no masking). */
    public int opmask() { return (evex >> 2) & 7; }

    public boolean zeroingMasking() { return (evex & 1 << 5) != 0; }

    /** EVEX embedded broadcast of the memory operand. */
    public boolean isBroadcast() { return (evex & 1 << 6) != 0; }

    /** Embedded rounding control 0..3 (RN, RD, RU, RZ), or -1. */
    public int roundingControl() { return ((evex >> 9) & 7) - 1; }

    public boolean suppressAllExceptions() { return (evex & 1 << 7) != 0; }

    /** Vector length in bits for VEX/EVEX instructions (128, 256, 512), 0 for legacy ones. */
    public int vectorBits() { return (evex >>> 12) & 1023; }

    // ---- properties from the spec

    public FlowKind flowKind() {
        return form < 0 ? FlowKind.NONE : FlowKind.of((Tables.ATTRS[form] >>> OperandCode.A_FLOW_SHIFT) & 15);
    }

    /** RFLAGS bits read. */
    public int flagsRead() { return form < 0 ? 0 : Tables.FLAGS_R[form]; }

    /** RFLAGS bits written with a value that depends on the operation (not counting cleared/set/undefined). */
    public int flagsModified() { return form < 0 ? 0 : Tables.FLAGS_W[form]; }

    /** RFLAGS bits left undefined. */
    public int flagsUndefined() { return form < 0 ? 0 : Tables.FLAGS_U[form]; }

    public int flagsCleared() { return form < 0 ? 0 : Tables.FLAGS_C[form]; }

    public int flagsSet() { return form < 0 ? 0 : Tables.FLAGS_S[form]; }

    /** Every RFLAGS bit the instruction writes in any way. */
    public int flagsWritten() { return flagsModified() | flagsUndefined() | flagsCleared() | flagsSet(); }

    public VirtClass virtClass() {
        if (form < 0) return VirtClass.INNOCUOUS;
        if (Tables.EXITS[form].length > 0) return VirtClass.SENSITIVE;
        return (Tables.ATTRS[form] & OperandCode.A_PRIV) != 0 ? VirtClass.PRIVILEGED : VirtClass.INNOCUOUS;
    }

    /** #GP(0) outside CPL 0. */
    public boolean isPrivileged() { return form >= 0 && (Tables.ATTRS[form] & OperandCode.A_PRIV) != 0; }

    /** Number of basic VM-exit reasons this instruction can cause. */
    public int exitReasonCount() { return form < 0 ? 0 : Tables.EXITS[form].length; }

    /** The i-th basic VM-exit reason (SDM Vol. 3C, Appendix C). */
    public int exitReason(int i) { return Tables.EXITS[form][i]; }

    /** The basic VM-exit reasons, as a fresh array. */
    public int[] exitReasons() { return form < 0 ? new int[0] : Tables.EXITS[form].clone(); }

    /** The CPUID feature that defines this instruction form (NONE for the base architecture). */
    public CpuidFeature cpuidFeature() { return form < 0 ? CpuidFeature.NONE : CpuidFeature.of(Tables.CPUID[form] & 0xffff); }

    /** A second feature the form also needs (VEX-encoded AES needs AES and AVX), or NONE. */
    public CpuidFeature cpuidFeature2() { return form < 0 ? CpuidFeature.NONE : CpuidFeature.of(Tables.CPUID[form] >>> 16); }

    @Override
    public String toString() {
        return Formatter.INTEL.format(this);
    }
}
