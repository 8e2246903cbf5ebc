package org.jvmx.decoder;

import static org.jvmx.decoder.OperandCode.*;
import static org.jvmx.decoder.OperandSizes.*;
import static org.jvmx.decoder.RegisterFields.*;

/**
 * The x86 decoder: 64-bit mode by default ({@code new Decoder()}), 32-bit or 16-bit code (protected
 * mode, real mode) from {@link #of(int)} / {@link #Decoder(int)}. Table-driven: prefixes and VEX/EVEX fields form a selector
 * that is matched against the candidate forms of the opcode (generated from the spec), then
 * the chosen form's operand codes are decoded. Allocation-free; never throws on any input.
 *
 * <p>Thread-safe: a Decoder has no mutable state. Each thread should use its own {@link Instruction}.
 *
 * <p>Outside 64-bit mode (SDM Vol. 2, 2.2.1, 2.3.5, 2.7, Appendix A): operand and address sizes default
 * to 32 (16 in 16-bit mode) and 66 / 67 toggle them; 40-4F are INC/DEC, there is no REX and no
 * RIP-relative addressing (mod 00 r/m 101 is an absolute disp32); 67 selects 16-bit ModRM addressing
 * in 32-bit mode (and 32-bit addressing in 16-bit mode); every segment override counts (the last one
 * wins); the spec's {@code i64} forms are valid, {@code o64only}/{@code mode64} forms are not, and
 * {@code legacy} forms exist; near branches, PUSH/POP keep the operand size (no d64/f64 rule) and
 * branch targets wrap at the operand size; C4/C5/62 are VEX/EVEX only when the next byte's top two
 * bits are 11 (else LES/LDS/BOUND); VEX/EVEX name 8 vector registers: R, X, B, R', the top bit of
 * vvvv and of an is4 register are ignored, V' must be 0; VEX/EVEX.W is ignored for general-register
 * sizes (W1 forms of 64-bit registers are 64-bit-mode only). The 64-bit fast path is not used.
 */
public final class Decoder {
    // selector bits (TableGen.SEL_*)
    static final int SEL_PFX = 0, SEL_REG = 2, SEL_MODREG = 5, SEL_RM = 6, SEL_W = 9, SEL_L = 10,
            SEL_OSZ = 12, SEL_ASZ32 = 14, SEL_REXB = 15, SEL_SUFFIX = 16, SEL_P66 = 24, SEL_NOT64 = 25;
    /** The 3DNow! slot (0F 0F): the form is selected by a suffix byte after ModRM/SIB/displacement. */
    static final int SLOT_3DNOW = 256 + 0x0F;

    static final byte PK_NONE = 0, PK_66 = 1, PK_67 = 2, PK_LOCK = 3, PK_F2 = 4, PK_F3 = 5, PK_SEG = 6, PK_REX = 7;
    static final byte[] PREFIX_KIND = new byte[256];
    /** PREFIX_KIND outside 64-bit mode: 40-4F are INC/DEC, not REX. */
    static final byte[] PREFIX_KIND_LEGACY = new byte[256];
    static final short[] SEG_OF_PREFIX = new short[256];
    /** Per form: FI_* bits (memory operand index + 1, VSIB, branch operand, rare checks, mandatory 66). */
    static final int[] FORM_INFO;
    /**
     * What decoding reads of a form, together (16 ints, one cache line): selector mask, value,
     * attributes, FORM_INFO, mnemonic, operand count, five operand codes. The decode path is a chain
     * of dependent loads (slot, dispatch, form); keeping a form in one line shortens it.
     */
    static final int[] FORM;
    static final int FS = 16, F_OPS = 6;
    static final int FI_MEMOP_SHIFT = 0, FI_MEMOP = 7, FI_MEMOP0 = 1, FI_VSIB = 8, FI_BRANCH = 16, FI_RARE = 32,
            FI_MAND66 = 64;

    static {
        PREFIX_KIND[0x66] = PK_66;
        PREFIX_KIND[0x67] = PK_67;
        PREFIX_KIND[0xF0] = PK_LOCK;
        PREFIX_KIND[0xF2] = PK_F2;
        PREFIX_KIND[0xF3] = PK_F3;
        int[] segs = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
        Register[] segRegs = {Register.ES, Register.CS, Register.SS, Register.DS, Register.FS, Register.GS};
        for (int i = 0; i < segs.length; i++) {
            PREFIX_KIND[segs[i]] = PK_SEG;
            SEG_OF_PREFIX[segs[i]] = (short) segRegs[i].ordinal();
        }
        System.arraycopy(PREFIX_KIND, 0, PREFIX_KIND_LEGACY, 0, 256);
        for (int r = 0x40; r <= 0x4F; r++) PREFIX_KIND[r] = PK_REX;
        int n = Tables.formCount();
        FORM_INFO = new int[n];
        FORM = new int[Integer.highestOneBit(n * FS - 1) << 1]; // a power of two: see FORM_MASK
        for (int f = 0; f < n; f++) {
            int info = 0, attrs = Tables.ATTRS[f];
            for (int k = Tables.OP_COUNT[f] - 1; k >= 0; k--) {
                int kind = Tables.OPS[f * 5 + k] & 0xff;
                if (kind == K_E || kind == K_M || kind == K_W || kind == K_Q || kind == K_KW || kind == K_BNDW
                        || kind == K_VSIBX || kind == K_VSIBY || kind == K_VSIBZ || kind == K_MIB || kind == K_SIBMEM) {
                    info = (info & ~FI_MEMOP) | (k + 1);
                    if (kind == K_VSIBX || kind == K_VSIBY || kind == K_VSIBZ) info |= FI_VSIB | FI_RARE;
                }
                if (kind == K_J) info |= FI_BRANCH;
            }
            if ((attrs & (A_I64 | A_FORCEREG | A_DISTINCT)) != 0) info |= FI_RARE;
            if ((Tables.MATCH[2 * f] & (0xff << SEL_SUFFIX)) != 0) info |= FI_RARE;
            if ((Tables.MATCH[2 * f] & (3 << SEL_PFX)) != 0 && ((Tables.MATCH[2 * f + 1] >> SEL_PFX) & 3) == 1) info |= FI_MAND66;
            FORM_INFO[f] = info;
            FORM[f * FS] = Tables.MATCH[2 * f];
            FORM[f * FS + 1] = Tables.MATCH[2 * f + 1];
            FORM[f * FS + 2] = attrs;
            FORM[f * FS + 3] = info;
            FORM[f * FS + 4] = Tables.MNEMONIC[f];
            FORM[f * FS + 5] = Tables.OP_COUNT[f];
            for (int k = 0; k < 5; k++) FORM[f * FS + 6 + k] = Tables.OPS[f * 5 + k];
        }
    }

    static final int R_AL = Register.AL.ordinal(), R_AX = Register.AX.ordinal(), R_EAX = Register.EAX.ordinal(),
            R_RAX = Register.RAX.ordinal(), R_XMM0 = Register.XMM0.ordinal(), R_YMM0 = Register.YMM0.ordinal(),
            R_ZMM0 = Register.ZMM0.ordinal(), R_MM0 = Register.MM0.ordinal(), R_K0 = Register.K0.ordinal(),
            R_ES = Register.ES.ordinal(), R_CR0 = Register.CR0.ordinal(), R_DR0 = Register.DR0.ordinal(),
            R_ST0 = Register.ST0.ordinal(), R_TMM0 = Register.TMM0.ordinal(), R_BND0 = Register.BND0.ordinal(),
            R_RIP = Register.RIP.ordinal(), R_EIP = Register.EIP.ordinal(), R_DS = Register.DS.ordinal(),
            R_SS = Register.SS.ordinal(), R_FS = Register.FS.ordinal(), R_GS = Register.GS.ordinal(),
            R_RSP = Register.RSP.ordinal(), R_RBP = Register.RBP.ordinal(), R_ESP = Register.ESP.ordinal(),
            R_EBP = Register.EBP.ordinal();
    static final int[] FIXED_REGS;
    static final short[] REG_BITS;

    static {
        Register[] all = Register.values();
        REG_BITS = new short[all.length];
        for (Register r : all) REG_BITS[r.ordinal()] = (short) r.bits();
        FIXED_REGS = new int[FIXED_NAMES.length];
        for (int i = 0; i < FIXED_NAMES.length; i++) {
            String n = FIXED_NAMES[i];
            FIXED_REGS[i] = n.equals("rAX") || n.equals("eAX") ? 0 : Register.valueOf(n).ordinal();
        }
    }

    private static final Decoder D64 = new Decoder(64), D32 = new Decoder(32), D16 = new Decoder(16);

    /** The decoding mode: 64, 32 or 16. */
    private final int bits;
    /** Not 64-bit mode. */
    private final boolean legacy;

    /** A decoder for 64-bit mode. */
    public Decoder() {
        this(64);
    }

    /**
     * A decoder for code of this bitness: 64 (64-bit mode), 32 (protected mode, compatibility mode with
     * CS.D = 1), 16 (real mode, virtual-8086 mode, 16-bit protected mode).
     */
    public Decoder(int bitness) {
        if (bitness != 16 && bitness != 32 && bitness != 64) throw new IllegalArgumentException("bitness " + bitness + ": 16, 32 or 64");
        this.bits = bitness;
        this.legacy = bitness != 64;
    }

    /** The shared decoder of a bitness (16, 32 or 64); decoders have no state. */
    public static Decoder of(int bitness) {
        return switch (bitness) {
            case 64 -> D64;
            case 32 -> D32;
            case 16 -> D16;
            default -> throw new IllegalArgumentException("bitness " + bitness + ": 16, 32 or 64");
        };
    }

    /** The mode this decoder decodes: 64, 32 or 16. */
    public int bitness() {
        return bits;
    }

    /**
     * Decodes one instruction from {@code code[offset, limit)} at address {@code ip} into {@code out}.
     *
     * @return the instruction's length; for an invalid encoding {@code out.isInvalid()} is true and the
     *     result is the number of bytes examined (at least 1).
     */
    public int decode(byte[] code, int offset, int limit, long ip, Instruction out) {
        if (legacy) return decodeFull(code, offset, limit, ip, out);
        int len = FastPath.decode(code, offset, limit, ip, out);
        return len > 0 ? len : decodeFull(code, offset, limit, ip, out);
    }

    /** The general decoder: every encoding, every check; the fast path hands it whatever it does not cover. */
    private int decodeFull(byte[] code, int offset, int limit, long ip, Instruction out) {
        if (out.lazyRow >= 0) out.materialize();
        out.ip = ip;
        out.lazyRow = -1;
        out.lazyCtx = 0;
        out.noMem = false;
        final boolean legacy = this.legacy;
        out.legacyBits = (byte) (legacy ? bits : 0);
        if (offset < 0 || offset >= limit || limit > code.length) {
            return fail(out, 1, InvalidReason.NO_MORE_BYTES);
        }
        final int end = Math.min(limit, offset + 15);
        int p = offset;
        int pfx66 = 0, pfx67 = 0, lock = 0, rep = 0, rex = 0, seg = 0, segLow = 0;
        int b = code[p] & 0xff;
        // ---- legacy prefixes and REX (SDM Vol. 2, 2.1.1 and 2.2.1): a REX not directly before the opcode is ignored
        final byte[] prefixKind = legacy ? PREFIX_KIND_LEGACY : PREFIX_KIND;
        byte k = prefixKind[b];
        while (k != PK_NONE) {
            switch (k) {
                case PK_REX -> rex = b;
                case PK_66 -> { pfx66 = 1; rex = 0; }
                case PK_67 -> { pfx67 = 1; rex = 0; }
                case PK_LOCK -> { lock = 1; rex = 0; }
                case PK_F2 -> { rep = 3; rex = 0; }
                case PK_F3 -> { rep = 2; rex = 0; }
                default -> {
                    // 64-bit mode: FS/GS override; ES/CS/SS/DS are ignored, and never displace FS/GS
                    int sg = SEG_OF_PREFIX[b];
                    if (legacy) seg = sg; // outside 64-bit mode every override counts, the last one wins
                    else if (sg == R_FS || sg == R_GS) seg = sg;
                    else if (seg == 0) segLow = sg;
                    rex = 0;
                }
            }
            if (++p >= end) return failEnd(out, p + 1, offset, limit);
            b = code[p] & 0xff;
            k = prefixKind[b];
        }

        int rexW = (rex >> 3) & 1, rexR = (rex >> 2) & 1, rexX = (rex >> 1) & 1, rexB = rex & 1;
        int rexR2 = 0, rexV2 = 0, vvvv = 0, vl = 0, pp = 0, aaa = 0, z = 0, bcst = 0;
        int space = 0;
        int encoding = 0;
        // ---- opcode (SDM Vol. 2, 2.1.2), VEX (2.3.5), EVEX (2.7.1), XOP (AMD APM Vol. 3, 1.8)
        p++;
        if (b == 0x0F) {
            if (p >= end) return failEnd(out, p + 1, offset, limit);
            b = code[p++] & 0xff;
            space = 1;
            if (b == 0x38 || b == 0x3A) {
                if (p >= end) return failEnd(out, p + 1, offset, limit);
                space = b == 0x38 ? 2 : 3;
                b = code[p++] & 0xff;
            }
        } else if (((b == 0xC5 || b == 0xC4 || b == 0x62) && (!legacy || p < end && (code[p] & 0xc0) == 0xc0))
                || (b == 0x8F && p < end && (code[p] & 0x1f) >= 8)) {
            // outside 64-bit mode C4/C5/62 are LES/LDS/BOUND unless the next byte looks like ModRM mod=11
            // (SDM Vol. 2, 2.3.5 and 2.7.1)
            // 8F with map >= 8 is the AMD XOP prefix; below 8 it is POP Ev
            int need = b == 0xC5 ? 2 : b == 0x62 ? 4 : 3;
            if (p + need > end) return failEnd(out, p + need, offset, limit);
            if ((rex | pfx66 | rep | lock) != 0) return fail(out, p - offset, InvalidReason.VEX_WITH_LEGACY_PREFIX);
            int map;
            if (b == 0xC5) {
                int v1 = code[p] & 0xff;
                rexR = (~v1 >> 7) & 1;
                vvvv = (~v1 >> 3) & 15;
                vl = (v1 >> 2) & 1;
                pp = v1 & 3;
                map = 1;
                b = code[p + 1] & 0xff;
                p += 2;
                encoding = 1;
            } else if (b != 0x62) {
                boolean xop = b == 0x8F;
                int v1 = code[p] & 0xff, v2 = code[p + 1] & 0xff;
                rexR = (~v1 >> 7) & 1; rexX = (~v1 >> 6) & 1; rexB = (~v1 >> 5) & 1;
                map = v1 & 31;
                rexW = v2 >> 7;
                vvvv = (~v2 >> 3) & 15;
                vl = (v2 >> 2) & 1;
                pp = v2 & 3;
                b = code[p + 2] & 0xff;
                p += 3;
                encoding = xop ? 3 : 1;
                if (xop ? map > 10 : map < 1 || map > 3) return fail(out, p - offset, InvalidReason.VEX_RESERVED_MAP);
            } else {
                int p0 = code[p] & 0xff, p1 = code[p + 1] & 0xff, p2 = code[p + 2] & 0xff;
                b = code[p + 3] & 0xff;
                p += 4;
                encoding = 2;
                if ((p0 & 0x08) != 0 || (p1 & 0x04) == 0) return fail(out, p - offset, InvalidReason.EVEX_RESERVED_BITS);
                rexR = (~p0 >> 7) & 1; rexX = (~p0 >> 6) & 1; rexB = (~p0 >> 5) & 1; rexR2 = (~p0 >> 4) & 1;
                map = p0 & 7;
                rexW = p1 >> 7;
                vvvv = (~p1 >> 3) & 15;
                pp = p1 & 3;
                z = p2 >> 7;
                vl = (p2 >> 5) & 3;
                bcst = (p2 >> 4) & 1;
                rexV2 = (~p2 >> 3) & 1;
                aaa = p2 & 7;
                if (map == 0 || map == 4 || map == 7) return fail(out, p - offset, InvalidReason.VEX_RESERVED_MAP);
            }
            if (legacy) {
                // 8 registers: R, X, B, R' are ignored (V' is checked below, the top bit of vvvv where it names one)
                rexR = 0; rexX = 0; rexB = 0; rexR2 = 0;
            }
            space = encoding == 1 ? Tables.SP_VEX + map - 1 : encoding == 3 ? Tables.SP_XOP + map - 8
                    : Tables.SP_EVEX + (map <= 3 ? map - 1 : map - 2);
        }
        final int slot = space << 8 | b;
        final int slotInfo = Tables.SLOT[slot];
        if (slotInfo == 0) return fail(out, p - offset, InvalidReason.UNDEFINED_OPCODE);
        final int opcode = b;

        // ---- ModRM and the selector
        int mod = 0, reg = 0, rm = 0, suffix = 0, is4 = 0;
        final boolean hasModrm = (slotInfo & 1) != 0;
        if (hasModrm) {
            if (p >= end) return failEnd(out, p + 1, offset, limit);
            int modrm = code[p++] & 0xff;
            out.lazyCtx = modrm | opcode << 8; // kept for Instruction.opcodeModrm()
            mod = modrm >> 6;
            reg = (modrm >> 3) & 7;
            rm = modrm & 7;
            if (slot == SLOT_3DNOW) {
                // 3DNow!: the opcode suffix follows the memory operand (AMD 3DNow! Technology Manual, 1.2)
                int tail = 0;
                if (mod != 3 && legacy && (pfx67 != 0) == (bits == 32)) {
                    tail = mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0; // 16-bit addressing: no SIB
                } else if (mod != 3) {
                    if (rm == 4) {
                        if (p >= end) return failEnd(out, p + 1, offset, limit);
                        tail = 1 + ((code[p] & 7) == 5 && mod == 0 ? 4 : 0);
                    } else if (rm == 5 && mod == 0) {
                        tail = 4;
                    }
                    tail += mod == 1 ? 1 : mod == 2 ? 4 : 0;
                }
                if (p + tail >= end) return failEnd(out, p + tail + 1, offset, limit);
                suffix = code[p + tail] & 0xff;
            }
        }
        final int mandatory = encoding != 0 ? pp : rep != 0 ? rep : pfx66;
        int selL = vl;
        if (encoding == 2 && bcst != 0 && mod == 3) selL = 2; // EVEX.b reg-reg: L'L is RC, length 512
        final int osz = legacy ? (pfx66 != 0) == (bits == 32) ? 0 : 1 : rexW != 0 ? 2 : pfx66 != 0 ? 0 : 1;
        final int asz32 = legacy ? (pfx67 != 0) == (bits == 16) ? 1 : 0 : pfx67;
        final int sel = (legacy ? 1 << SEL_NOT64 : 0) | suffix << SEL_SUFFIX | mandatory << SEL_PFX | reg << SEL_REG | (mod == 3 ? 1 : 0) << SEL_MODREG
                | rm << SEL_RM | rexW << SEL_W | selL << SEL_L | osz << SEL_OSZ | asz32 << SEL_ASZ32 | rexB << SEL_REXB
                | pfx66 << SEL_P66;
        int form = -1;
        final int[] fm = FORM;
        final int d = Tables.DISPATCH[(slotInfo >>> 10) + ((sel >>> ((slotInfo >>> 1) & 31)) & ((1 << ((slotInfo >>> 6) & 15)) - 1))];
        if ((d & 1) != 0) {
            // the key leaves one candidate: the entry names the form itself
            int f = d >>> 9;
            if ((sel & fm[f * FS]) == fm[f * FS + 1]) form = f;
        } else {
            for (int i = d >>> 9, e = i + ((d >>> 1) & 255); i < e; i++) {
                int f = Tables.CANDIDATES[i];
                if ((sel & fm[f * FS]) == fm[f * FS + 1]) {
                    form = f;
                    break;
                }
            }
        }
        if (form < 0) return fail(out, p - offset, InvalidReason.UNDEFINED_OPCODE);
        final int fb = form * FS;
        final int attrs = fm[fb + 2];
        final int info = fm[fb + 3];
        out.form = form;
        if ((info & FI_RARE) != 0) {
            if ((attrs & A_I64) != 0 && !legacy) return fail(out, p - offset, InvalidReason.INVALID_IN_64BIT);
            if ((attrs & A_FORCEREG) != 0) mod = 3; // MOV CR/DR: r/m names a register whatever mod says
        }
        if (lock != 0 && ((attrs & A_LOCK) == 0 || mod == 3 || !hasModrm)) {
            return fail(out, p - offset, InvalidReason.LOCK_NOT_ALLOWED);
        }

        // ---- sizes
        final int osPrefix = (info & FI_MAND66) != 0 && mandatory == 1 && encoding == 0 ? 0 : pfx66;
        final int osize = legacy ? (osPrefix != 0) == (bits == 32) ? 16 : 32
                : (attrs & A_F64) != 0 ? 64 : rexW != 0 ? 64 : osPrefix != 0 ? 16 : (attrs & A_O64) != 0 ? 64 : 32;
        final int asize = legacy ? asz32 != 0 ? 32 : 16 : pfx67 != 0 ? 32 : 64;
        final int vlBits = encoding == 0 ? 0 : selL == 0 ? 128 : selL == 1 ? 256 : 512;
        // (outside 64-bit mode W does not size general registers: the rows of SIZE_ROWS_LEGACY and up)
        final int sizeRow = (legacy ? SIZE_ROWS_LEGACY + (osize >> 5) * 8 : ((osize >> 5) * 2 + rexW) * 4)
                + (encoding == 0 ? 0 : selL == 0 ? 1 : selL == 1 ? 2 : 3);

        // ---- VEX/EVEX checks (SDM Vol. 2, 2.3 and 2.7)
        final boolean hasVsib = (info & FI_VSIB) != 0;
        boolean broadcast = false, sae = false;
        int rounding = -1;
        if (encoding != 0) {
            if ((attrs & A_VVVV) == 0 && (vvvv | (encoding == 2 && !hasVsib ? rexV2 << 4 : 0)) != 0) {
                return fail(out, p - offset, InvalidReason.VVVV_NOT_UNUSED);
            }
            if (legacy) {
                // 8 registers: EVEX.V' must be 0 (SDM Vol. 2, 2.7.1 "EVEX.V' ... must be 1 (inverted) in 32-bit mode")
                if (encoding == 2 && rexV2 != 0) return fail(out, p - offset, InvalidReason.EVEX_HIGH_REGISTER);
                vvvv &= 7;
            }
            if (encoding == 2) {
                if (vl == 3 && !(bcst != 0 && mod == 3)) return fail(out, p - offset, InvalidReason.EVEX_VECTOR_LENGTH);
                if (bcst != 0) {
                    if (mod == 3) {
                        if ((attrs & A_ER) != 0) rounding = vl;
                        else if ((attrs & A_SAE) != 0) sae = true;
                        else return fail(out, p - offset, InvalidReason.EVEX_BROADCAST);
                    } else if (((attrs >>> A_BCST_SHIFT) & 3) == 0) {
                        return fail(out, p - offset, InvalidReason.EVEX_BROADCAST);
                    } else {
                        broadcast = true;
                    }
                }
                if (aaa != 0 && (attrs & A_K) == 0) return fail(out, p - offset, InvalidReason.EVEX_MASKING);
                // {z} needs a mask register and a register destination (SDM Vol. 2, 2.7.8)
                if (z != 0 && ((attrs & A_KZ) == 0 || aaa == 0 || (mod != 3 && (info & FI_MEMOP) == FI_MEMOP0))) {
                    return fail(out, p - offset, InvalidReason.EVEX_MASKING);
                }
                if ((attrs & A_KREQ) != 0 && aaa == 0) return fail(out, p - offset, InvalidReason.EVEX_MASKING);
            }
        }

        // ---- memory operand: SIB, displacement (SDM Vol. 2, 2.1.5; EVEX disp8*N, 2.7.5)
        final int opBase = fb + F_OPS;
        final int memOp = ((info & FI_MEMOP) >>> FI_MEMOP_SHIFT) - 1;
        int memBits = 0;
        int memBase = 0, memIndex = 0, scale = 0, dispBytes = 0, memSeg = 0;
        long disp = 0;
        boolean rip = false;
        if (memOp >= 0) {
            int mc = fm[opBase + memOp];
            int extra = mc >>> 16; // Ry/Mb style: memory size differs from the register size
            memBits = SIZE_BITS[(extra != 0 ? extra - 1 : (mc >> 8) & 0xff) * SIZE_ROWS + sizeRow];
            if (broadcast) {
                int bc = (attrs >>> A_BCST_SHIFT) & 3;
                memBits = (attrs & A_BCSTW) != 0 ? (rexW != 0 ? 64 : 32) : bc == 1 ? 16 : bc == 2 ? 32 : 64;
            }
        }
        if (hasModrm && mod != 3 && asize == 16) {
            // 16-bit addressing (SDM Vol. 2, Table 2-1): no SIB, BP-based forms use SS
            if (hasVsib) return fail(out, p - offset, InvalidReason.VSIB_WITHOUT_SIB);
            dispBytes = mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0;
            if (p + dispBytes > end) return failEnd(out, p + dispBytes, offset, limit);
            if (dispBytes == 1) {
                disp = code[p];
                if (encoding == 2) disp *= disp8Scale(attrs, memBits, rexW);
            } else if (dispBytes == 2) {
                disp = (short) ((code[p] & 0xff) | (code[p + 1] & 0xff) << 8);
            }
            p += dispBytes;
            int base16 = BASE16[rm], index16 = INDEX16[rm];
            if (mod == 0 && rm == 6) base16 = -1;
            memBase = base16 < 0 ? 0 : R_AX + base16;
            memIndex = index16 < 0 ? 0 : R_AX + index16;
            memSeg = seg != 0 ? seg : base16 == 5 ? R_SS : R_DS;
        } else if (hasModrm && mod != 3) {
            int base = -1, index = -1;
            if (rm == 4) {
                if (p >= end) return failEnd(out, p + 1, offset, limit);
                int sib = code[p++] & 0xff;
                scale = sib >> 6;
                int idx = ((sib >> 3) & 7) | rexX << 3;
                if (hasVsib) index = idx | (encoding == 2 ? rexV2 << 4 : 0);
                else if (idx != 4) index = idx;
                int bs = sib & 7;
                if (bs == 5 && mod == 0) {
                    dispBytes = 4;
                } else {
                    base = bs | rexB << 3;
                    dispBytes = mod == 1 ? 1 : mod == 2 ? 4 : 0;
                }
            } else {
                if (hasVsib) return fail(out, p - offset, InvalidReason.VSIB_WITHOUT_SIB);
                if (rm == 5 && mod == 0) {
                    rip = !legacy; // outside 64-bit mode: an absolute disp32
                    dispBytes = 4;
                } else {
                    base = rm | rexB << 3;
                    dispBytes = mod == 1 ? 1 : mod == 2 ? 4 : 0;
                }
            }
            if (p + dispBytes > end) return failEnd(out, p + dispBytes, offset, limit);
            if (dispBytes == 1) {
                disp = code[p];
                if (encoding == 2) disp *= disp8Scale(attrs, memBits, rexW);
            } else if (dispBytes == 4) {
                disp = (code[p] & 0xff) | (code[p + 1] & 0xff) << 8 | (code[p + 2] & 0xff) << 16 | (long) code[p + 3] << 24;
            }
            p += dispBytes;
            int gprBase = asize == 64 ? R_RAX : R_EAX;
            memBase = rip ? (asize == 64 ? R_RIP : R_EIP) : base < 0 ? 0 : gprBase + base;
            if (index >= 0) {
                if (hasVsib) {
                    int kind = fm[opBase + memOp] & 0xff;
                    memIndex = (kind == K_VSIBX ? R_XMM0 : kind == K_VSIBY ? R_YMM0 : R_ZMM0) + index;
                } else {
                    memIndex = gprBase + index;
                }
            }
            if (asize == 32 && !rip) disp = (int) disp;
            memSeg = seg != 0 ? seg : segLow != 0 ? segLow : (base == 4 || base == 5) ? R_SS : R_DS;
        }

        // ---- operands. Registers go through register(), which reads a packed context: few live
        // values in this loop, so HotSpot keeps them in machine registers.
        final int nops = fm[fb + 5];
        final byte[] opKind = out.opKind;
        final short[] opReg = out.opReg, opBits = out.opBits;
        final long[] opValue = out.opValue;
        final int ctx = (reg | rexR << 3 | rexR2 << 4) | (rm | rexB << 3 | (encoding == 2 ? rexX << 4 : 0)) << 5
                | (vvvv | (encoding == 2 ? rexV2 << 4 : 0)) << 10 | (rex != 0 ? 1 << 15 : 0) | (opcode & 7) << 16
                | rexB << 19 | (osize >> 5) << 20;
        // (bits 16-19 together are the +r register: opcode low bits with REX.B)
        for (int n = 0; n < nops; n++) {
            final int code32 = fm[opBase + n];
            final int kind = code32 & 0xff;
            int bits = SIZE_BITS[((code32 >> 8) & 0xff) * SIZE_ROWS + sizeRow];
            if (REG_KIND[kind] || (mod == 3 && RM_KIND[kind])) {
                // table-driven: the field the kind reads, whether that value names a register, the class
                final int v = (ctx >>> FIELD_SHIFT[kind]) & FIELD_MASK[kind];
                int r;
                if ((VALID_VALUES[kind] >>> v & 1) == 0) r = kind == K_G ? -1 : -2;
                else if (IS_GPR[kind]) r = GPR_OF[((bits >> 3) & 15) * 32 + (rex != 0 && kind != K_B ? 16 : 0) + v];
                else if (CLASS_BASE[kind] != 0) r = CLASS_BASE[kind] + v;
                else if (VEC_KIND[kind]) r = (bits > 256 ? R_ZMM0 : bits > 128 ? R_YMM0 : R_XMM0) + v;
                else r = register(kind, bits, ctx, code32);
                if (r <= 0) {
                    return fail(out, p - offset, r == 0 ? InvalidReason.REGISTER_NOT_ALLOWED
                            : r == -1 ? InvalidReason.EVEX_HIGH_REGISTER : InvalidReason.INVALID_REGISTER);
                }
                opKind[n] = 0;
                opReg[n] = (short) r;
                opBits[n] = REG_BITS[r];
                continue;
            }
            byte okind;
            long value = 0;
            switch (kind) {
                case K_I, K_IS -> {
                    okind = 2;
                    final int size = (code32 >> 8) & 0xff;
                    int immBytes = kind == K_IS ? 1 : IMM_BYTES[size * 3 + (osize >> 5)];
                    if (p + immBytes > end) return failEnd(out, p + immBytes, offset, limit);
                    if (immBytes == 1) {
                        value = kind == K_IS ? code[p] : code[p] & 0xff;
                    } else {
                        value = readImm(code, p, immBytes);
                    }
                    p += immBytes;
                    if (kind == K_IS || (size == S_Z && osize == 64)) {
                        // sign-extended to the operand size
                        if (immBytes == 2) value = (short) value;
                        else if (immBytes == 4) value = (int) value;
                        if (!(kind == K_IS && size != S_B && size != S_V && size != S_NONE)) bits = osize;
                    } else {
                        bits = immBytes * 8;
                    }
                }
                case K_A -> {
                    // far pointer ptr16:16/32: the offset (z), then the selector (w), as two immediates
                    okind = 2;
                    int nb = ((code32 >> 8) & 0xff) == S_W ? 2 : osize == 16 ? 2 : 4;
                    if (p + nb > end) return failEnd(out, p + nb, offset, limit);
                    value = readImm(code, p, nb);
                    p += nb;
                    bits = nb * 8;
                }
                case K_CONST1 -> {
                    okind = 2;
                    value = 1;
                    bits = 8;
                }
                case K_J -> {
                    okind = 3;
                    int nb = ((code32 >> 8) & 0xff) == S_B ? 1 : (osize == 16 && (legacy || (attrs & A_F64) == 0)) ? 2 : 4;
                    if (p + nb > end) return failEnd(out, p + nb, offset, limit);
                    value = nb == 1 ? code[p] : nb == 2 ? (short) readImm(code, p, 2) : (int) readImm(code, p, 4);
                    p += nb;
                    bits = 64; // made absolute below, once the length is known
                }
                case K_O -> {
                    okind = 1;
                    int nb = asize / 8;
                    if (p + nb > end) return failEnd(out, p + nb, offset, limit);
                    disp = readImm(code, p, nb);
                    p += nb;
                    dispBytes = nb;
                    memSeg = seg != 0 ? seg : segLow != 0 ? segLow : R_DS;
                    memBits = bits;
                }
                case K_X -> okind = 4;
                case K_Y -> okind = 5;
                case K_L -> {
                    // /is4: a register in imm8[7:4]
                    if (p >= end) return failEnd(out, p + 1, offset, limit);
                    is4 = code[p++] & 0xff;
                    int r = vecReg(legacy ? (is4 >> 4) & 7 : is4 >> 4, bits); // (imm8[7] ignored outside 64-bit mode)
                    opKind[n] = 0;
                    opReg[n] = (short) r;
                    opBits[n] = REG_BITS[r];
                    continue;
                }
                case K_IM4 -> {
                    okind = 2;
                    value = is4 & 15;
                    bits = 8;
                }
                case K_XLAT, K_XD -> {
                    okind = 1;
                    memBase = (asize == 64 ? R_RAX : asize == 32 ? R_EAX : R_AX) + (kind == K_XLAT ? 3 : 7);
                    if (kind == K_XLAT) memIndex = R_AL;
                    memSeg = seg != 0 ? seg : segLow != 0 ? segLow : R_DS;
                    memBits = bits;
                }
                default -> {
                    if (!RM_KIND[kind]) return fail(out, p - offset, InvalidReason.UNDEFINED_OPCODE);
                    okind = 1; // memory through ModRM
                    bits = memBits;
                }
            }
            opKind[n] = okind;
            opReg[n] = 0;
            opBits[n] = (short) bits;
            opValue[n] = value;
        }
        if ((info & FI_RARE) != 0) {
            if (hasVsib && memOp > 0) {
                // gathers: destination, index and mask registers all different (SDM Vol. 2, VPGATHERDD: #UD)
                int dst = -1, msk = -1;
                for (int n = 0; n < nops; n++) {
                    int kind = fm[opBase + n] & 0xff;
                    if (kind == K_V) dst = vecNo(opReg[n]);
                    else if (kind == K_H) msk = vecNo(opReg[n]);
                }
                int idx = vecNo(memIndex);
                if (dst == idx || msk == idx || (msk >= 0 && msk == dst)) return fail(out, p - offset, InvalidReason.SAME_REGISTERS);
            }
            if ((attrs & A_DISTINCT) != 0 && !distinctRegisters(out, nops)) return fail(out, p - offset, InvalidReason.SAME_REGISTERS);
            if ((fm[fb] & (0xff << SEL_SUFFIX)) != 0) p++; // the 3DNow! suffix byte
        }
        final int len = p - offset;
        final long next = ip + len;
        if ((info & FI_BRANCH) != 0) {
            for (int n = 0; n < nops; n++) {
                if (opKind[n] == 3) {
                    opValue[n] += next;
                    // outside 64-bit mode the instruction pointer wraps at the operand size (SDM Vol. 2, JMP/Jcc)
                    if (legacy) opValue[n] &= osize == 16 ? 0xffffL : 0xffffffffL;
                }
            }
        }
        if (rip) disp = asize == 64 ? next + disp : (next + disp) & 0xffffffffL;
        out.length = len;
        out.invalid = 0;
        out.memSeg = (short) memSeg;
        out.memBase = (short) memBase;
        out.memIndex = (short) memIndex;
        out.memScale = (byte) (1 << scale);
        out.memDisp = disp;
        out.memBits = (short) memBits;
        out.dispBytes = (byte) dispBytes;
        out.ripRel = rip;
        out.osize = (byte) osize;
        out.asize = (byte) asize;
        int prefixes = (pfx66 != 0 ? Instruction.P_OSIZE : 0) | (pfx67 != 0 ? Instruction.P_ASIZE : 0) | lock
                | ((seg | segLow) != 0 ? Instruction.P_SEG : 0) | (rex != 0 ? Instruction.P_REX : 0)
                | (encoding == 0 ? 0 : encoding == 2 ? Instruction.P_EVEX : Instruction.P_VEX);
        if (rep != 0 && (attrs & A_REP) != 0) prefixes |= rep == 2 ? Instruction.P_REP : Instruction.P_REPNE;
        out.prefixes = prefixes;
        out.segPrefix = (short) (seg != 0 ? seg : segLow);
        out.evex = Instruction.packEvex(encoding, vlBits, aaa, z != 0, broadcast, sae, rounding, hasVsib);
        return len;
    }

    /**
     * EVEX compressed displacement N (SDM Vol. 2, 2.7.5): the size of the memory access, or of one
     * element for the single-element tuples (T1S: 4 or 8 by W, never more than the access itself;
     * T1S8/T1S16 for byte/word elements, as VPCOMPRESSB/W).
     */
    static int disp8Scale(int attrs, int memBits, int w) {
        int tuple = (attrs >>> A_TUPLE_SHIFT) & 31;
        int bytes = Math.max(1, memBits >> 3);
        return switch (tuple) {
            case T_T1S -> Math.min(bytes, w != 0 ? 8 : 4);
            case T_T1S8 -> 1;
            case T_T1S16 -> 2;
            default -> bytes;
        };
    }

    static int fail(Instruction out, int len, InvalidReason why) {
        out.invalid = (byte) why.ordinal();
        out.form = -1;
        out.length = Math.max(1, Math.min(len, 15));
        return out.length;
    }

    /** The instruction needs the bytes up to {@code needEnd}: past the input it is truncated, else past 15 bytes. */
    static int failEnd(Instruction out, int needEnd, int offset, int limit) {
        boolean truncated = needEnd > limit && limit - offset < 15;
        return fail(out, needEnd - offset, truncated ? InvalidReason.NO_MORE_BYTES : InvalidReason.TOO_LONG);
    }

    /**
     * The {@code distinct} rule: the destination differs from every other register source (complex
     * FP16 multiplies, SDM Vol. 2 VFCMADDCPH); tile operands are all pairwise different (AMX TDP*).
     */
    static boolean distinctRegisters(Instruction out, int nops) {
        boolean tiles = out.opReg[0] >= R_TMM0 && out.opReg[0] < R_TMM0 + 8;
        for (int i = 0; i < nops; i++) {
            if (out.opKind[i] != 0) continue;
            for (int j = i + 1; j < nops; j++) {
                if (out.opKind[j] == 0 && (i == 0 || tiles) && vecNo(out.opReg[i]) == vecNo(out.opReg[j])) return false;
            }
        }
        return true;
    }

    /** 16-bit ModRM addressing by r/m (SDM Vol. 2, Table 2-1): base and index register numbers, -1 for none. */
    private static final int[] BASE16 = {3, 3, 5, 5, 6, 7, 5, 3}, INDEX16 = {6, 7, 6, 7, -1, -1, -1, -1};

    private static long readImm(byte[] c, int p, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = v << 8 | (c[p + i] & 0xff);
        return v;
    }
}
