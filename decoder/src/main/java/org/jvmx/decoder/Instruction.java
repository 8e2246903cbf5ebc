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
    int mnemonic;
    InvalidReason invalid = InvalidReason.NONE;
    int opCount;
    final byte[] opKind = new byte[MAX_OPS];
    final short[] opReg = new short[MAX_OPS];
    final short[] opBits = new short[MAX_OPS];
    final long[] opValue = new long[MAX_OPS];
    short memSeg, memBase, memIndex;
    byte memScale;
    long memDisp;
    short memBits;
    boolean ripRel, vsib;
    byte dispBytes;
    byte osize, asize;
    int prefixes;
    short segPrefix;
    byte encoding;
    byte opmask;
    boolean zeroing, broadcast, sae;
    byte rounding;
    short vectorBits;

    void reset(long ip) {
        this.ip = ip;
        length = 0;
        form = -1;
        mnemonic = 0;
        invalid = InvalidReason.NONE;
        opCount = 0;
        memSeg = memBase = memIndex = 0;
        memScale = 1;
        memDisp = 0;
        memBits = 0;
        ripRel = vsib = false;
        dispBytes = 0;
        prefixes = 0;
        segPrefix = 0;
        encoding = 0;
        opmask = 0;
        zeroing = broadcast = sae = false;
        rounding = -1;
        vectorBits = 0;
    }

    /** A copy that later decodes do not change. */
    public Instruction copy() {
        Instruction c = new Instruction();
        c.ip = ip; c.length = length; c.form = form; c.mnemonic = mnemonic; c.invalid = invalid;
        c.opCount = opCount;
        System.arraycopy(opKind, 0, c.opKind, 0, MAX_OPS);
        System.arraycopy(opReg, 0, c.opReg, 0, MAX_OPS);
        System.arraycopy(opBits, 0, c.opBits, 0, MAX_OPS);
        System.arraycopy(opValue, 0, c.opValue, 0, MAX_OPS);
        c.memSeg = memSeg; c.memBase = memBase; c.memIndex = memIndex; c.memScale = memScale; c.memDisp = memDisp;
        c.memBits = memBits; c.ripRel = ripRel; c.vsib = vsib; c.dispBytes = dispBytes;
        c.osize = osize; c.asize = asize; c.prefixes = prefixes; c.segPrefix = segPrefix; c.encoding = encoding;
        c.opmask = opmask; c.zeroing = zeroing; c.broadcast = broadcast; c.sae = sae; c.rounding = rounding;
        c.vectorBits = vectorBits;
        return c;
    }

    // ---- identity

    /** Address of the instruction. */
    public long ip() { return ip; }

    /** Length in bytes (1..15). For an invalid instruction: the bytes examined to find it invalid. */
    public int length() { return length; }

    /** Address of the next instruction. */
    public long nextIp() { return ip + length; }

    public boolean isInvalid() { return invalid != InvalidReason.NONE; }

    public InvalidReason invalidReason() { return invalid; }

    public Mnemonic mnemonic() { return Mnemonic.of(mnemonic); }

    public Encoding encoding() { return ENCODINGS[encoding]; }

    /** The spec line this instruction was decoded by, as {@code file:line} (for diagnostics). */
    public String specSource() {
        return form < 0 ? "-" : Tables.FILES[Tables.SOURCE_FILE[form]] + ":" + Tables.SOURCE_LINE[form];
    }

    // ---- operands

    public int operandCount() { return opCount; }

    private static final OperandKind[] KINDS = OperandKind.values();
    private static final Encoding[] ENCODINGS = Encoding.values();

    public OperandKind operandKind(int i) { return KINDS[opKind[i]]; }

    /** The register of operand {@code i}, or NONE when it is not a register. */
    public Register register(int i) { return Register.ofOrdinal(opReg[i]); }

    /** Size of operand {@code i} in bits (register width, memory access size, immediate size). 0 when none. */
    public int operandBits(int i) { return opBits[i]; }

    /** Value of an immediate operand, sign- or zero-extended as the instruction uses it. */
    public long immediate(int i) { return opValue[i]; }

    /** Absolute target of the relative branch operand. */
    public long branchTarget() {
        for (int i = 0; i < opCount; i++) if (opKind[i] == OperandKind.BRANCH.ordinal()) return opValue[i];
        return 0;
    }

    public Register memSegment() { return Register.ofOrdinal(memSeg); }

    public Register memBase() { return Register.ofOrdinal(memBase); }

    public Register memIndex() { return Register.ofOrdinal(memIndex); }

    public int memScale() { return memScale; }

    /** Displacement, sign-extended to 64 bits; for RIP-relative operands, the absolute address. */
    public long memDisplacement() { return memDisp; }

    /** Number of displacement bytes in the encoding (0, 1, 2, 4 or 8). */
    public int memDisplacementBytes() { return dispBytes; }

    /** Size in bits of the memory access (0 when the instruction does not access a sized operand). */
    public int memBits() { return memBits; }

    public boolean isRipRelative() { return ripRel; }

    /** VSIB addressing (gathers, scatters): {@link #memIndex()} is a vector register. */
    public boolean isVsib() { return vsib; }

    // ---- sizes and prefixes

    /** Effective operand size in bits (16, 32 or 64). */
    public int operandSize() { return osize; }

    /** Effective address size in bits (32 or 64). */
    public int addressSize() { return asize; }

    /** Prefix bits ({@link #P_LOCK}, ...). */
    public int prefixes() { return prefixes; }

    public boolean hasLock() { return (prefixes & P_LOCK) != 0; }

    /** F3 as REP/REPE on a string instruction. */
    public boolean hasRep() { return (prefixes & P_REP) != 0; }

    /** F2 as REPNE on a string instruction. */
    public boolean hasRepne() { return (prefixes & P_REPNE) != 0; }

    /** The segment override prefix in effect, or NONE. */
    public Register segmentPrefix() { return Register.ofOrdinal(segPrefix); }

    // ---- EVEX

    /** Opmask register number 0..7 (0: no masking). */
    public int opmask() { return opmask; }

    public boolean zeroingMasking() { return zeroing; }

    /** EVEX embedded broadcast of the memory operand. */
    public boolean isBroadcast() { return broadcast; }

    /** Embedded rounding control 0..3 (RN, RD, RU, RZ), or -1. */
    public int roundingControl() { return rounding; }

    public boolean suppressAllExceptions() { return sae; }

    /** Vector length in bits for VEX/EVEX instructions (128, 256, 512), 0 for legacy ones. */
    public int vectorBits() { return vectorBits; }

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
