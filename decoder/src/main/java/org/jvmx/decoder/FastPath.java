package org.jvmx.decoder;

import static org.jvmx.decoder.Decoder.*;
import static org.jvmx.decoder.OperandCode.*;
import static org.jvmx.decoder.OperandSizes.*;
import static org.jvmx.decoder.RegisterFields.*;

/**
 * The decoder's fast path (64-bit mode only: {@link Decoder} does not call it for 16/32-bit code) for
 * legacy-encoded instructions whose forms need no rare check. It has
 * few live values: prefix state packed into one int, and per form and legacy size row the operands
 * resolved ahead of time (FAST), from the same generated tables as {@link Decoder}. Anything else
 * (VEX/EVEX/XOP, 3DNow!, LOCK, rare forms, unusual operand kinds, truncated or invalid encodings)
 * returns -1 before anything is written to the {@link Instruction}, and {@link Decoder} decodes it
 * again from the start: the fast path never decides that an encoding is invalid, and every result is
 * the general decoder's. Register operands are computed when read ({@link #lazyKind},
 * {@link #lazyReg}, {@link #lazyBits}) from the form's row and a context ({@link #ctxOf}) of the raw ModRM
 * and opcode bytes and the prefix state; so are the memory operand's base, index, scale, segment and
 * displacement size (from the ModRM and SIB bytes), the operand, address and memory sizes and the prefix
 * bits. Decoding stores only those raw bytes, the row, the values (immediates, branch targets,
 * displacement), the length and the form: each store and each computation left out of the hot path
 * measurably speeds up a linear sweep. {@link Instruction#materialize} stores the derived fields before
 * the general decoder reuses the Instruction, so that fields it leaves unset read as they always did.
 */
final class FastPath {
    private FastPath() { }

    /**
     * Per form and legacy row (0: osize 16, 1: 32, 2: 64 with W0, 3: 64 with W1), FR_STRIDE ints: five
     * operand descriptors, the memory operand's bits, the operand size, and META: -1 when the fast path
     * does not decode the form in this row, else operand count (bits 0-3), immediate bytes (4-7),
     * memory-only operand (8), branch operand + 1 (9-11), memory operands (12-16), value operands (17-21).
     */
    private static final int FR_STRIDE = 8, FR_MEMBITS = 5, FR_OSIZE = 6, FR_META = 7;
    private static final int[] FAST;
    /**
     * Index masks of FORM, FAST, DISP and CAND (power-of-two lengths): an index masked with them is provably in
     * bounds, so the JIT drops the bounds checks. Masking never changes an index (all are in bounds).
     */
    private static final int FORM_MASK = FORM.length - FS, FAST_MASK, DISP_MASK, CAND_MASK;
    /** Tables.DISPATCH and Tables.CANDIDATES, padded to power-of-two lengths. */
    private static final int[] DISP;
    private static final short[] CAND;
    // operand descriptor: type (bits 0-3); for a register (D_REG, or D_RM with mod = 11; a D_RM or D_MEM
    // operand is otherwise the ModRM memory operand): field shift in the context (4-7), field mask (8-11),
    // 8-bit GPR chosen by REX (12), class base register (13-21);
    // D_VAL (immediates, branches, constant 1, string operands): byte count (4-7), sign-extended (8), the constant 1 (10),
    // operand kind (13-15); all: operand bits (22-31)
    private static final int D_REG = 1, D_RM = 2, D_MEM = 3, D_VAL = 4, D_SIGNED = 1 << 8, D_CONST1 = 1 << 10;
    /** GPR8[(REX ? 16 : 0) + n]: byte register n. */
    private static final short[] GPR8 = new short[32];
    /** Packed prefix state: 66 (bit 0), 67 (1), F3 = 2 / F2 = 3 (2-3), the REX byte (8-15), segment override (16-). */
    private static final int PF_66 = 1, PF_67 = 2, PF_REP_SHIFT = 2, PF_REX_SHIFT = 8, PF_SEG_SHIFT = 16;
    /** BYTE_CLASS[b]: 0 an opcode, PK_* (1..7) a prefix, 8 the 0F escape, 9 VEX/EVEX/XOP/8F or LOCK: not for the fast path. */
    private static final byte[] BYTE_CLASS = new byte[256];
    private static final int BC_ESC = 8, BC_SLOW = 9;
    /** PSEL[66 | 67 << 1 | rep << 2 | REX.W << 4 | REX.B << 5]: the selector bits of the legacy prefixes. */
    private static final int[] PSEL = new int[64];
    /** MSEL[modrm]: the selector bits of a ModRM byte. */
    private static final int[] MSEL = new int[256];
    /** FORM[f * FS + F_FAST]: bit 0 not for the fast path; bits 8-23 the legacy row by (REX.W * 4 + 66 * 2 + (F2/F3 ? 1 : 0)) * 2. */
    private static final int F_FAST = 11;
    /** FORM[f * FS + F_META + row]: FAST's META of the form's row, in the form's cache line. */
    private static final int F_META = 12;
    /** Legacy prefix byte b other than a segment override: pf = (pf & PF_KEEP[b]) | PF_SET[b]. */
    private static final int[] PF_KEEP = new int[256], PF_SET = new int[256];
    /** Register context ({@link #ctxOf}): ModRM.reg + R (0-3), ModRM.rm + B (4-7), opcode low bits + B (8-11). */
    private static final int CTX_REX = 1 << 16, CTX_REGRM = 1 << 17;

    static {
        System.arraycopy(GPR_OF, 32, GPR8, 0, 32);
        DISP = java.util.Arrays.copyOf(Tables.DISPATCH, Integer.highestOneBit(Math.max(1, Tables.DISPATCH.length - 1)) << 1);
        DISP_MASK = DISP.length - 1;
        CAND = java.util.Arrays.copyOf(Tables.CANDIDATES, Integer.highestOneBit(Math.max(1, Tables.CANDIDATES.length - 1)) << 1);
        CAND_MASK = CAND.length - 1;
        for (int i = 0; i < 256; i++) BYTE_CLASS[i] = PREFIX_KIND[i];
        BYTE_CLASS[0xF0] = BC_SLOW;
        BYTE_CLASS[0x0F] = BC_ESC;
        BYTE_CLASS[0xC4] = BYTE_CLASS[0xC5] = BYTE_CLASS[0x62] = BYTE_CLASS[0x8F] = BC_SLOW;
        for (int i = 0; i < 64; i++) {
            int p66 = i & 1, p67 = (i >> 1) & 1, rep = (i >> 2) & 3, w = (i >> 4) & 1, rb = (i >> 5) & 1;
            int mandatory = rep != 0 ? rep : p66;
            int osz = w != 0 ? 2 : p66 != 0 ? 0 : 1;
            PSEL[i] = mandatory << SEL_PFX | w << SEL_W | osz << SEL_OSZ | p67 << SEL_ASZ32 | rb << SEL_REXB | p66 << SEL_P66;
        }
        for (int i = 0; i < 256; i++) {
            int clr = ~(0xff << PF_REX_SHIFT);
            switch (PREFIX_KIND[i]) {
                case PK_REX -> { PF_KEEP[i] = clr; PF_SET[i] = i << PF_REX_SHIFT; }
                case PK_66 -> { PF_KEEP[i] = clr; PF_SET[i] = PF_66; }
                case PK_67 -> { PF_KEEP[i] = clr; PF_SET[i] = PF_67; }
                case PK_F2 -> { PF_KEEP[i] = clr & ~(3 << PF_REP_SHIFT); PF_SET[i] = 3 << PF_REP_SHIFT; }
                case PK_F3 -> { PF_KEEP[i] = clr & ~(3 << PF_REP_SHIFT); PF_SET[i] = 2 << PF_REP_SHIFT; }
                default -> { PF_KEEP[i] = -1; PF_SET[i] = 0; }
            }
        }
        for (int m = 0; m < 256; m++) {
            MSEL[m] = ((m >> 3) & 7) << SEL_REG | (m >> 6 == 3 ? 1 : 0) << SEL_MODREG | (m & 7) << SEL_RM;
        }
        int n = Tables.formCount();
        FAST = new int[Integer.highestOneBit(n * 4 * FR_STRIDE - 1) << 1];
        FAST_MASK = FAST.length - FR_STRIDE;
        int[] osizes = {16, 32, 64, 64};
        for (int f = 0; f < n; f++) {
            int attrs = Tables.ATTRS[f];
            int rowSel = 0;
            for (int w = 0; w < 2; w++) {
                for (int p66 = 0; p66 < 2; p66++) {
                    for (int rp = 0; rp < 2; rp++) {
                        // the operand-size prefix: 66, unless it is this form's mandatory prefix (no F2/F3 after it)
                        int os = (FORM[f * FS + 3] & FI_MAND66) != 0 && rp == 0 ? 0 : p66;
                        int r = (attrs & A_F64) != 0 || w != 0 ? 2 + w : os != 0 ? 0 : (attrs & A_O64) != 0 ? 2 : 1;
                        rowSel |= r << ((w * 4 + p66 * 2 + rp) * 2);
                    }
                }
            }
            FORM[f * FS + F_FAST] = ((FORM[f * FS + 3] & FI_RARE) != 0 ? 1 : 0) | rowSel << 8;
            int nops = Tables.OP_COUNT[f];
            for (int row = 0; row < 4; row++) {
                int osize = osizes[row], w = row == 3 ? 1 : 0;
                int sizeRow = ((osize >> 5) * 2 + w) * 4;
                int fb = (f * 4 + row) * FR_STRIDE;
                boolean ok = nops <= 5;
                int memBits = 0, immTotal = 0, branchOp = 0, memMask = 0, valMask = 0;
                boolean memOnly = false;
                int memOp = (FORM[f * FS + 3] & FI_MEMOP) - 1;
                if (memOp >= 0) {
                    int mc = Tables.OPS[f * 5 + memOp];
                    int extra = mc >>> 16;
                    memBits = SIZE_BITS[(extra != 0 ? extra - 1 : (mc >> 8) & 0xff) * SIZE_ROWS + sizeRow];
                }
                for (int k = 0; k < nops && ok; k++) {
                    int code32 = Tables.OPS[f * 5 + k];
                    int kind = code32 & 0xff, size = (code32 >> 8) & 0xff;
                    int bits = SIZE_BITS[size * SIZE_ROWS + sizeRow];
                    int d = 0;
                    switch (kind) {
                        case K_G -> d = fastReg(D_REG, 0, 15, gprBase(bits));
                        case K_R -> d = fastReg(D_REG, 4, 15, gprBase(bits));
                        case K_E -> d = fastReg(D_RM, 4, 15, gprBase(bits));
                        case K_Z -> d = fastReg(D_REG, 8, 15, gprBase(bits));
                        case K_V -> d = fastReg(D_REG, 0, 15, vecReg(0, bits));
                        case K_U -> d = fastReg(D_REG, 4, 15, vecReg(0, bits));
                        case K_W -> d = fastReg(D_RM, 4, 15, vecReg(0, bits));
                        case K_P -> d = fastReg(D_REG, 0, 7, R_MM0);
                        case K_N -> d = fastReg(D_REG, 4, 7, R_MM0);
                        case K_Q -> d = fastReg(D_RM, 4, 7, R_MM0);
                        case K_ST -> d = fastReg(D_REG, 0, 0, R_ST0);
                        case K_STI -> d = fastReg(D_REG, 4, 7, R_ST0);
                        case K_FIXED -> {
                            int fx = code32 >>> 16, os = osize >> 5;
                            int r = fx == F_RAX_V ? (os == 2 ? R_RAX : os == 1 ? R_EAX : R_AX)
                                    : fx == F_EAX_Z ? (os == 0 ? R_AX : R_EAX) : FIXED_REGS[fx];
                            d = fastReg(D_REG, 0, 0, r);
                        }
                        case K_M -> {
                            d = D_MEM;
                            memOnly = true;
                        }
                        case K_I -> {
                            int nb = IMM_BYTES[size * 3 + (osize >> 5)];
                            boolean sx = size == S_Z && osize == 64;
                            d = fastVal(nb, sx, 2, sx ? osize : nb * 8);
                        }
                        case K_IS -> d = fastVal(1, true, 2, !(size != S_B && size != S_V && size != S_NONE) ? osize : bits);
                        case K_J -> d = fastVal(size == S_B ? 1 : (osize == 16 && (attrs & A_F64) == 0) ? 2 : 4, true, 3, 64);
                        case K_X -> d = fastVal(0, false, 4, bits);
                        case K_Y -> d = fastVal(0, false, 5, bits);
                        case K_CONST1 -> d = fastVal(0, false, 2, 8) | D_CONST1;
                        default -> d = 0;
                    }
                    if (d == 0 || (bits >>> 10) != 0) ok = false;
                    int t = d & 15;
                    if (t == D_VAL) {
                        immTotal += (d >>> 4) & 15;
                        valMask |= 1 << k;
                        if (kind == K_J) branchOp = k + 1;
                    } else if (t == D_RM || t == D_MEM) {
                        memMask |= 1 << k;
                    }
                    FAST[fb + k] = d;
                }
                FAST[fb + FR_MEMBITS] = memBits;
                FAST[fb + FR_OSIZE] = osize;
                FAST[fb + FR_META] = ok ? nops | immTotal << 4 | (memOnly ? 1 << 8 : 0) | branchOp << 9 | memMask << 12
                        | valMask << 17 : -1;
                FORM[f * FS + F_META + row] = FAST[fb + FR_META];
            }
        }
    }

    /** The first register of a general-register width (AL: 8-bit, chosen by REX at decode); 0 if none. */
    private static int gprBase(int bits) {
        return bits == 8 || bits == 16 || bits == 32 || bits == 64 ? GPR_OF[(bits >> 3) * 32] : 0;
    }

    private static int fastVal(int nb, boolean signed, int okind, int bits) {
        return D_VAL | nb << 4 | (signed ? D_SIGNED : 0) | okind << 13 | bits << 22;
    }

    private static int fastReg(int type, int shift, int mask, int base) {
        if (base <= 0) return 0;
        int gpr8 = base == R_AL ? 1 : 0;
        int bits = REG_BITS[base];
        return type | shift << 4 | mask << 8 | gpr8 << 12 | base << 13 | bits << 22;
    }

    /** The legacy fast path: the instruction's length, or -1 when Decoder must decode it in full (nothing is then known). */
    static int decode(byte[] code, int offset, int limit, long ip, Instruction out) {
        if (offset < 0 || offset >= limit || limit > code.length) return -1;
        final int end = limit - offset < 15 ? limit : offset + 15;
        int p = offset;
        int b = code[p] & 0xff;
        // prefix state: 66, 67, rep (2: F3, 3: F2), REX byte, effective segment override (LOCK: the full decoder)
        int pf = 0;
        int k = BYTE_CLASS[b];
        while (k != 0 && k < BC_ESC) {
            if (k != PK_SEG) {
                pf = (pf & PF_KEEP[b]) | PF_SET[b];
            } else {
                // FS/GS always win; ES/CS/SS/DS only while no FS/GS was seen
                int clr = pf & ~(0xff << PF_REX_SHIFT);
                int sg = SEG_OF_PREFIX[b], cur = pf >>> PF_SEG_SHIFT;
                pf = sg == R_FS || sg == R_GS || (cur != R_FS && cur != R_GS) ? (clr & 0xffff) | sg << PF_SEG_SHIFT : clr;
            }
            if (++p >= end) return -1;
            b = code[p] & 0xff;
            k = BYTE_CLASS[b];
        }
        p++;
        int space = 0;
        if (k != 0) {
            if (k != BC_ESC || p + 1 >= end) return -1;
            b = code[p++] & 0xff;
            space = 1;
            if (b == 0x38 || b == 0x3A) {
                space = (b >> 1) - 26;
                b = code[p++] & 0xff;
            } else if (b == 0x0F) {
                return -1; // 3DNow!
            }
        }
        final int slotInfo = Tables.SLOT[(space << 8 | b) & 1023];
        final int rex = (pf >>> PF_REX_SHIFT) & 0xff;
        int modrm = 0;
        if ((slotInfo & 1) != 0) {
            if (p >= end) return -1;
            modrm = code[p++] & 0xff;
        }
        final int sel = PSEL[((pf & 15) | (rex & 8) << 1 | (rex & 1) << 5) & 63] | MSEL[modrm & 255];
        final int[] fm = FORM;
        final int d = DISP[((slotInfo >>> 10) + ((sel >>> ((slotInfo >>> 1) & 31)) & ((1 << ((slotInfo >>> 6) & 15)) - 1))) & DISP_MASK];
        int form = -1;
        if ((d & 1) != 0) {
            int f = d >>> 9, ff = (f * FS) & FORM_MASK;
            if ((sel & fm[ff]) == fm[ff + 1]) form = f;
        } else {
            for (int i = d >>> 9, e = i + ((d >>> 1) & 255); i < e; i++) {
                int f = CAND[i & CAND_MASK], ff = (f * FS) & FORM_MASK;
                if ((sel & fm[ff]) == fm[ff + 1]) {
                    form = f;
                    break;
                }
            }
        }
        if (slotInfo == 0 || form < 0) return -1;
        final int fb = (form * FS) & FORM_MASK;
        final int fast = fm[fb + F_FAST];
        if ((fast & 1) != 0) return -1;
        final int pfx66 = pf & PF_66, rep = (pf >> PF_REP_SHIFT) & 3;
        final int row = (fast >>> (8 + ((rex & 8) | pfx66 << 2 | (rep & 2)))) & 3;
        final int[] fr = FAST;
        final int rb = ((form * 4 + row) * FR_STRIDE) & FAST_MASK;
        final int meta = fm[fb + F_META + row];
        final int mod = modrm >> 6;
        if (meta < 0 || (mod == 3 && (meta & (1 << 8)) != 0)) return -1;

        // ---- memory operand: only the displacement is stored; base, index, scale, segment and the sizes are
        // derived on access from the ModRM and SIB bytes kept in Instruction.lazyMem and the prefixes in lazyPf
        final int pfx67 = pf & PF_67;
        boolean rip = false;
        if ((slotInfo & 1) != 0 && mod != 3) {
            final int rm = modrm & 7;
            int dispBytes, sib = 0;
            if (rm == 4) {
                if (p >= end) return -1;
                sib = code[p++] & 0xff;
                dispBytes = (sib & 7) == 5 && mod == 0 ? 4 : mod == 1 ? 1 : mod == 2 ? 4 : 0;
            } else if (rm == 5 && mod == 0) {
                rip = true;
                dispBytes = 4;
            } else {
                dispBytes = mod == 1 ? 1 : mod == 2 ? 4 : 0;
            }
            if (p + dispBytes + ((meta >> 4) & 15) > end) return -1;
            long disp = 0;
            if (dispBytes == 1) {
                disp = code[p];
            } else if (dispBytes == 4) {
                // readInt by hand: C2 does not always inline it here
                disp = (code[p] & 0xff) | (code[p + 1] & 0xff) << 8 | (code[p + 2] & 0xff) << 16 | code[p + 3] << 24;
            }
            p += dispBytes;
            out.memDisp = disp;
            out.lazyMem = modrm | sib << 8 | dispBytes << 16 | Instruction.LAZY_MEM_PENDING;
            out.lazyMemPf = pf;
            out.noMem = false;
        } else {
            if (p + ((meta >> 4) & 15) > end) return -1;
            out.noMem = true;
        }
        out.lazyPf = pf;

        // ---- operands: kinds, registers and sizes are derived on access from the row and the context
        // (Instruction.lazyRow); only the values are stored (nothing can fail from here on)
        out.lazyRow = rb;
        out.lazyCtx = modrm | b << 8;
        if (mod != 3 && (meta & (31 << 12)) != 0) out.opValue[Integer.numberOfTrailingZeros(meta >>> 12) & 7] = 0;
        for (int vm = (meta >>> 17) & 31; vm != 0; vm &= vm - 1) {
            int n = Integer.numberOfTrailingZeros(vm) & 7;
            p = fastValue(out, n, fr[rb + n], code, p);
        }
        final int len = p - offset;
        final long next = ip + len;
        if ((meta & (7 << 9)) != 0) out.opValue[((meta >>> 9) & 7) - 1] += next;
        if (rip) out.memDisp = pfx67 == 0 ? next + out.memDisp : (next + out.memDisp) & 0xffffffffL;
        out.ip = ip;
        out.form = form;
        out.length = len;
        out.invalid = 0;
        out.evex = 0;
        return len;
    }

    // ---- the fields of a fast-path instruction that are derived on access (Instruction.lazyRow >= 0)

    /** The operand size of a row (0: 16, 1: 32, 2 and 3: 64), without a load from FAST. */
    static int lazyOsize(int row) {
        return 16 << ((0x2210 >>> ((row >> 1) & 12)) & 3);
    }

    static int lazyMemBits(int row) {
        return FAST[row + FR_MEMBITS];
    }

    static int lazyAsize(int pf) {
        return (pf & PF_67) == 0 ? 64 : 32;
    }

    static int lazySegPrefix(int pf) {
        return pf >>> PF_SEG_SHIFT;
    }

    static int lazyPrefixes(int pf, int form) {
        int sg = pf >>> PF_SEG_SHIFT, rep = (pf >> PF_REP_SHIFT) & 3, rex = (pf >>> PF_REX_SHIFT) & 0xff;
        int prefixes = (pf & PF_66) << 3 | (pf & PF_67) << 3 | (sg != 0 ? Instruction.P_SEG : 0) | (rex != 0 ? Instruction.P_REX : 0);
        if (rep != 0 && (FORM[form * FS + 2] & A_REP) != 0) prefixes |= rep == 2 ? Instruction.P_REP : Instruction.P_REPNE;
        return prefixes;
    }

    /** RIP-relative: ModRM mod 0, rm 5 (only meaningful for a memory operand). */
    static boolean lazyRip(int mem) {
        return (mem & 0xc7) == 5;
    }

    static int lazyDispBytes(int mem) {
        return (mem >>> 16) & 15;
    }

    /** The base register number (with REX.B), -1 for none or RIP. */
    private static int lazyBaseNo(int pf, int mem) {
        int mod = (mem >> 6) & 3, rm = mem & 7, rexB = (pf >>> PF_REX_SHIFT) & 1;
        if (rm == 4) {
            int bs = (mem >>> 8) & 7;
            return bs == 5 && mod == 0 ? -1 : bs | rexB << 3;
        }
        return rm == 5 && mod == 0 ? -1 : rm | rexB << 3;
    }

    static int lazyMemBase(int pf, int mem) {
        boolean a32 = (pf & PF_67) != 0;
        if (lazyRip(mem)) return a32 ? R_EIP : R_RIP;
        int base = lazyBaseNo(pf, mem);
        return base < 0 ? 0 : (a32 ? R_EAX : R_RAX) + base;
    }

    static int lazyMemIndex(int pf, int mem) {
        if ((mem & 7) != 4) return 0;
        int idx = ((mem >>> 11) & 7) | ((pf >>> PF_REX_SHIFT) & 2) << 2;
        return idx == 4 ? 0 : ((pf & PF_67) != 0 ? R_EAX : R_RAX) + idx;
    }

    static int lazyMemScale(int mem) {
        return (mem & 7) == 4 ? 1 << ((mem >>> 14) & 3) : 1;
    }

    static int lazyMemSeg(int pf, int mem) {
        int sg = pf >>> PF_SEG_SHIFT;
        if (sg != 0) return sg;
        int base = lazyBaseNo(pf, mem);
        return base == 4 || base == 5 ? R_SS : R_DS;
    }

    /** The value of an immediate, branch, constant or string operand of the fast path; the position after its bytes. */
    private static int fastValue(Instruction out, int n, int dd, byte[] code, int p) {
        final boolean signed = (dd & D_SIGNED) != 0;
        switch ((dd >>> 4) & 15) {
            case 1 -> {
                out.opValue[n] = signed ? code[p] : code[p] & 0xff;
                return p + 1;
            }
            case 4 -> {
                int v = readInt(code, p);
                out.opValue[n] = signed ? v : v & 0xffffffffL;
                return p + 4;
            }
            case 2 -> {
                int v = (code[p] & 0xff) | (code[p + 1] & 0xff) << 8;
                out.opValue[n] = signed ? (short) v : v;
                return p + 2;
            }
            case 8 -> {
                out.opValue[n] = (readInt(code, p) & 0xffffffffL) | (long) readInt(code, p + 4) << 32;
                return p + 8;
            }
            default -> {
                out.opValue[n] = (dd & D_CONST1) != 0 ? 1 : 0;
                return p;
            }
        }
    }

    /** Operand i of a fast-path instruction (Instruction.lazyRow): is it a register? raw: Instruction.lazyCtx. */
    private static boolean lazyIsReg(int dd, int raw) {
        int type = dd & 15;
        return type == D_REG || (type == D_RM && (raw & 0xc0) == 0xc0);
    }

    /** The register context of a fast-path instruction from its ModRM byte and opcode (lazyCtx) and its prefix state. */
    static int ctxOf(int raw, int pf) {
        int modrm = raw & 0xff, b = (raw >>> 8) & 0xff, rex = (pf >>> PF_REX_SHIFT) & 0xff, rexB = rex & 1;
        return ((modrm >> 3) & 7 | (rex & 4) << 1) | ((modrm & 7) | rexB << 3) << 4 | ((b & 7) | rexB << 3) << 8
                | (rex != 0 ? CTX_REX : 0) | (modrm >> 6 == 3 ? CTX_REGRM : 0);
    }

    static int lazyKind(int row, int i, int raw) {
        int dd = FAST[row + i];
        return lazyIsReg(dd, raw) ? 0 : (dd & 15) == D_VAL ? (dd >>> 13) & 7 : 1;
    }

    static int lazyReg(int row, int i, int raw, int pf) {
        int dd = FAST[row + i];
        if (!lazyIsReg(dd, raw)) return 0;
        int ctx = ctxOf(raw, pf);
        int v = (ctx >>> ((dd >>> 4) & 15)) & ((dd >>> 8) & 15);
        return (dd & (1 << 12)) != 0 ? GPR8[(((ctx & CTX_REX) >>> 12) + v) & 31] : ((dd >>> 13) & 511) + v;
    }

    static int lazyBits(int row, int i, int raw) {
        int dd = FAST[row + i];
        return lazyIsReg(dd, raw) || (dd & 15) == D_VAL ? dd >>> 22 : FAST[row + FR_MEMBITS];
    }

    private static int readInt(byte[] c, int p) {
        return (c[p] & 0xff) | (c[p + 1] & 0xff) << 8 | (c[p + 2] & 0xff) << 16 | c[p + 3] << 24;
    }
}
