package org.jvmx.decoder;

import static org.jvmx.decoder.OperandCode.*;

/**
 * The x86-64 decoder (64-bit mode). Table-driven: prefixes and VEX/EVEX fields form a selector
 * that is matched against the candidate forms of the opcode (generated from the spec), then
 * the chosen form's operand codes are decoded. Allocation-free; never throws on any input.
 *
 * <p>Thread-safe: a Decoder has no mutable state. Each thread should use its own {@link Instruction}.
 */
public final class Decoder {
    // selector bits (TableGen.SEL_*)
    static final int SEL_PFX = 0, SEL_REG = 2, SEL_MODREG = 5, SEL_RM = 6, SEL_W = 9, SEL_L = 10,
            SEL_OSZ = 12, SEL_ASZ32 = 14, SEL_REXB = 15, SEL_SUFFIX = 16, SEL_P66 = 24;
    /** The 3DNow! slot (0F 0F): the form is selected by a suffix byte after ModRM/SIB/displacement. */
    static final int SLOT_3DNOW = 256 + 0x0F;

    static final byte PK_NONE = 0, PK_66 = 1, PK_67 = 2, PK_LOCK = 3, PK_F2 = 4, PK_F3 = 5, PK_SEG = 6, PK_REX = 7;
    static final byte[] PREFIX_KIND = new byte[256];
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

    /** A decoder for 64-bit mode. */
    public Decoder() { }

    /**
     * Decodes one instruction from {@code code[offset, limit)} at address {@code ip} into {@code out}.
     *
     * @return the instruction's length; for an invalid encoding {@code out.isInvalid()} is true and the
     *     result is the number of bytes examined (at least 1).
     */
    public int decode(byte[] code, int offset, int limit, long ip, Instruction out) {
        int len = FastPath.decode(code, offset, limit, ip, out);
        return len > 0 ? len : decodeFull(code, offset, limit, ip, out);
    }

    /** The general decoder: every encoding, every check; the fast path hands it whatever it does not cover. */
    private int decodeFull(byte[] code, int offset, int limit, long ip, Instruction out) {
        if (out.lazyRow >= 0) out.materialize();
        out.ip = ip;
        out.lazyRow = -1;
        out.noMem = false;
        if (offset < 0 || offset >= limit || limit > code.length) {
            return fail(out, 1, InvalidReason.NO_MORE_BYTES);
        }
        final int end = Math.min(limit, offset + 15);
        int p = offset;
        int pfx66 = 0, pfx67 = 0, lock = 0, rep = 0, rex = 0, seg = 0, segLow = 0;
        int b = code[p] & 0xff;
        // ---- legacy prefixes and REX (SDM Vol. 2, 2.1.1 and 2.2.1): a REX not directly before the opcode is ignored
        byte k = PREFIX_KIND[b];
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
                    if (sg == R_FS || sg == R_GS) seg = sg;
                    else if (seg == 0) segLow = sg;
                    rex = 0;
                }
            }
            if (++p >= end) return failEnd(out, p + 1, offset, limit);
            b = code[p] & 0xff;
            k = PREFIX_KIND[b];
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
        } else if (b == 0xC5 || b == 0xC4 || b == 0x62 || (b == 0x8F && p < end && (code[p] & 0x1f) >= 8)) {
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
            mod = modrm >> 6;
            reg = (modrm >> 3) & 7;
            rm = modrm & 7;
            if (slot == SLOT_3DNOW) {
                // 3DNow!: the opcode suffix follows the memory operand (AMD 3DNow! Technology Manual, 1.2)
                int tail = 0;
                if (mod != 3) {
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
        final int osz = rexW != 0 ? 2 : pfx66 != 0 ? 0 : 1;
        final int sel = suffix << SEL_SUFFIX | mandatory << SEL_PFX | reg << SEL_REG | (mod == 3 ? 1 : 0) << SEL_MODREG
                | rm << SEL_RM | rexW << SEL_W | selL << SEL_L | osz << SEL_OSZ | pfx67 << SEL_ASZ32 | rexB << SEL_REXB
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
            if ((attrs & A_I64) != 0) return fail(out, p - offset, InvalidReason.INVALID_IN_64BIT);
            if ((attrs & A_FORCEREG) != 0) mod = 3; // MOV CR/DR: r/m names a register whatever mod says
        }
        if (lock != 0 && ((attrs & A_LOCK) == 0 || mod == 3 || !hasModrm)) {
            return fail(out, p - offset, InvalidReason.LOCK_NOT_ALLOWED);
        }

        // ---- sizes
        final int osPrefix = (info & FI_MAND66) != 0 && mandatory == 1 && encoding == 0 ? 0 : pfx66;
        final int osize = (attrs & A_F64) != 0 ? 64 : rexW != 0 ? 64 : osPrefix != 0 ? 16 : (attrs & A_O64) != 0 ? 64 : 32;
        final int asize = pfx67 != 0 ? 32 : 64;
        final int vlBits = encoding == 0 ? 0 : selL == 0 ? 128 : selL == 1 ? 256 : 512;
        final int sizeRow = ((osize >> 5) * 2 + rexW) * 4 + (encoding == 0 ? 0 : selL == 0 ? 1 : selL == 1 ? 2 : 3);

        // ---- VEX/EVEX checks (SDM Vol. 2, 2.3 and 2.7)
        final boolean hasVsib = (info & FI_VSIB) != 0;
        boolean broadcast = false, sae = false;
        int rounding = -1;
        if (encoding != 0) {
            if ((attrs & A_VVVV) == 0 && (vvvv | (encoding == 2 && !hasVsib ? rexV2 << 4 : 0)) != 0) {
                return fail(out, p - offset, InvalidReason.VVVV_NOT_UNUSED);
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
            memBits = SIZE_BITS[(extra != 0 ? extra - 1 : (mc >> 8) & 0xff) * 24 + sizeRow];
            if (broadcast) {
                int bc = (attrs >>> A_BCST_SHIFT) & 3;
                memBits = (attrs & A_BCSTW) != 0 ? (rexW != 0 ? 64 : 32) : bc == 1 ? 16 : bc == 2 ? 32 : 64;
            }
        }
        if (hasModrm && mod != 3) {
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
                    rip = true;
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
            int bits = SIZE_BITS[((code32 >> 8) & 0xff) * 24 + sizeRow];
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
                case K_CONST1 -> {
                    okind = 2;
                    value = 1;
                    bits = 8;
                }
                case K_J -> {
                    okind = 3;
                    int nb = ((code32 >> 8) & 0xff) == S_B ? 1 : (osize == 16 && (attrs & A_F64) == 0) ? 2 : 4;
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
                    int r = vecReg(is4 >> 4, bits);
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
                    memBase = (asize == 64 ? R_RAX : R_EAX) + (kind == K_XLAT ? 3 : 7);
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
            for (int n = 0; n < nops; n++) if (opKind[n] == 3) opValue[n] += next;
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

    /** GPR_OF[(bits / 8) * 32 + (REX ? 16 : 0) + n]: general register n of a width (AH..BH only without REX). */
    static final short[] GPR_OF = new short[9 * 32];

    static {
        for (int w : new int[] {8, 16, 32, 64}) {
            for (int rx = 0; rx < 2; rx++) {
                for (int n = 0; n < 16; n++) {
                    int r = switch (w) {
                        case 8 -> R_AL + (rx != 0 || n < 4 ? (n < 4 ? n : n + 4) : n);
                        case 16 -> R_AX + n;
                        case 32 -> R_EAX + n;
                        default -> R_RAX + n;
                    };
                    GPR_OF[(w >> 3) * 32 + rx * 16 + n] = (short) r;
                }
            }
        }
    }

    static int gpr(int n, int bits, boolean rex) {
        return GPR_OF[((bits >> 3) & 15) * 32 + (rex ? 16 : 0) + n];
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

    /** Kinds that are always a register, and kinds that are ModRM r/m (a register when mod = 11). */
    static final boolean[] REG_KIND = new boolean[64], RM_KIND = new boolean[64];
    /** Per register kind: the context field it reads (shift, mask) and which of its values name a register. */
    static final byte[] FIELD_SHIFT = new byte[64];
    static final int[] FIELD_MASK = new int[64], VALID_VALUES = new int[64], CLASS_BASE = new int[64];
    static final boolean[] IS_GPR = new boolean[64], VEC_KIND = new boolean[64];

    static {
        // context fields: 0 = ModRM.reg with R, R' (5 bits); 5 = ModRM.rm with B, X (5); 10 = vvvv with V' (5);
        // 16 = opcode low bits with REX.B (4)
        int[][] fields = {
            {K_G, 0, 31, 0xFFFF}, {K_R, 5, 15, -1}, {K_E, 5, 15, -1}, {K_B, 10, 15, -1},
            {K_V, 0, 31, -1}, {K_W, 5, 31, -1}, {K_U, 5, 31, -1}, {K_H, 10, 31, -1},
            {K_S, 0, 7, 0x3F}, {K_C, 0, 15, 1 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 8}, {K_D, 0, 15, 0xFF},
            {K_P, 0, 7, -1}, {K_Q, 5, 7, -1}, {K_N, 5, 7, -1},
            {K_KR, 0, 31, 0xFF}, {K_KW, 5, 7, -1}, {K_KU, 5, 7, -1}, {K_KH, 10, 15, 0xFF},
            {K_BND, 0, 3, -1}, {K_BNDW, 5, 3, -1}, {K_STI, 5, 7, -1},
            {K_T, 0, 15, 0xFF}, {K_TU, 5, 15, 0xFF}, {K_TH, 10, 15, 0xFF}};
        for (int[] f : fields) {
            FIELD_SHIFT[f[0]] = (byte) f[1];
            FIELD_MASK[f[0]] = f[2];
            VALID_VALUES[f[0]] = f[3];
        }
        FIELD_SHIFT[K_Z] = 16;
        FIELD_MASK[K_Z] = 15;
        VALID_VALUES[K_Z] = -1;
        VALID_VALUES[K_ST] = -1;
        VALID_VALUES[K_FIXED] = -1;
        for (int kd : new int[] {K_G, K_R, K_E, K_B, K_Z}) IS_GPR[kd] = true;
        for (int kd : new int[] {K_V, K_W, K_U, K_H}) VEC_KIND[kd] = true;
        CLASS_BASE[K_S] = R_ES; CLASS_BASE[K_C] = R_CR0; CLASS_BASE[K_D] = R_DR0;
        CLASS_BASE[K_P] = R_MM0; CLASS_BASE[K_Q] = R_MM0; CLASS_BASE[K_N] = R_MM0;
        CLASS_BASE[K_KR] = R_K0; CLASS_BASE[K_KW] = R_K0; CLASS_BASE[K_KU] = R_K0; CLASS_BASE[K_KH] = R_K0;
        CLASS_BASE[K_BND] = R_BND0; CLASS_BASE[K_BNDW] = R_BND0; CLASS_BASE[K_STI] = R_ST0;
        CLASS_BASE[K_T] = R_TMM0; CLASS_BASE[K_TU] = R_TMM0; CLASS_BASE[K_TH] = R_TMM0;
        for (int kd : new int[] {K_G, K_R, K_Z, K_B, K_S, K_C, K_D, K_V, K_U, K_H, K_P, K_N, K_KR, K_KU, K_KH, K_BND,
                K_ST, K_STI, K_T, K_TU, K_TH, K_FIXED}) {
            REG_KIND[kd] = true;
        }
        for (int kd : new int[] {K_E, K_M, K_W, K_Q, K_KW, K_BNDW, K_VSIBX, K_VSIBY, K_VSIBZ, K_MIB, K_SIBMEM}) {
            RM_KIND[kd] = true;
        }
    }

    /**
     * The register of a register operand, from the packed context {@code ctx}: bits 0-4 ModRM.reg
     * with R and R', 5-9 ModRM.rm with B (and X under EVEX), 10-14 vvvv (with V' under EVEX), 15 a
     * REX prefix is present, 16-18 the opcode's low bits, 19 REX.B, 20-21 operand size (16/32/64).
     *
     * @return the register ordinal; 0 when the operand cannot be a register, -1 for an EVEX.R'
     *     that names no general register, -2 for a register that does not exist
     */
    static int register(int kind, int bits, int ctx, int code32) {
        int regX = ctx & 31, rmX = (ctx >>> 5) & 31, vX = (ctx >>> 10) & 31;
        boolean rex = (ctx & (1 << 15)) != 0;
        switch (kind) {
            case K_G:
                if (regX > 15) return -1;
                return gpr(regX, bits, rex);
            case K_E:
            case K_R:
                return gpr(rmX & 15, bits, rex);
            case K_Z:
                return gpr(((ctx >>> 16) & 7) | ((ctx >>> 19) & 1) << 3, bits, rex);
            case K_B:
                return gpr(vX & 15, bits, false);
            case K_V:
                return vecReg(regX, bits);
            case K_W:
            case K_U:
                return vecReg(rmX, bits);
            case K_H:
                return vecReg(vX, bits);
            case K_S:
                return (regX & 7) > 5 ? -2 : R_ES + (regX & 7);
            case K_C: {
                int c = regX & 15;
                return c != 0 && c != 2 && c != 3 && c != 4 && c != 8 ? -2 : R_CR0 + c;
            }
            case K_D:
                return (regX & 8) != 0 ? -2 : R_DR0 + (regX & 7);
            case K_P:
                return R_MM0 + (regX & 7);
            case K_Q:
            case K_N:
                return R_MM0 + (rmX & 7);
            case K_KR:
                return regX > 7 ? -2 : R_K0 + regX;
            case K_KW:
            case K_KU:
                return R_K0 + (rmX & 7);
            case K_KH:
                return (vX & 15) > 7 ? -2 : R_K0 + (vX & 15);
            case K_BND:
                return R_BND0 + (regX & 3);
            case K_BNDW:
                return R_BND0 + (rmX & 3);
            case K_ST:
                return R_ST0;
            case K_STI:
                return R_ST0 + (rmX & 7);
            case K_T:
                return (regX & 15) > 7 ? -2 : R_TMM0 + (regX & 15);
            case K_TU:
                return (rmX & 15) > 7 ? -2 : R_TMM0 + (rmX & 15);
            case K_TH:
                return (vX & 15) > 7 ? -2 : R_TMM0 + (vX & 15);
            case K_FIXED: {
                int fx = code32 >>> 16, os = (ctx >>> 20) & 3;
                if (fx == F_RAX_V) return os == 2 ? R_RAX : os == 1 ? R_EAX : R_AX;
                if (fx == F_EAX_Z) return os == 0 ? R_AX : R_EAX;
                return FIXED_REGS[fx];
            }
            default:
                return 0; // memory-only kinds (M, VSIB, MIB) with mod = 11
        }
    }

    /** Register number of an xmm/ymm/zmm register ordinal. */
    static int vecNo(int ordinal) {
        if (ordinal >= R_TMM0 && ordinal < R_TMM0 + 8) return ordinal - R_TMM0;
        return ordinal >= R_ZMM0 ? ordinal - R_ZMM0 : ordinal >= R_YMM0 ? ordinal - R_YMM0 : ordinal - R_XMM0;
    }

    static int vecReg(int n, int bits) {
        return (bits > 256 ? R_ZMM0 : bits > 128 ? R_YMM0 : R_XMM0) + n;
    }

    static int immBytes(int size, int osize) {
        return switch (size) {
            case S_B -> 1;
            case S_W -> 2;
            case S_D -> 4;
            case S_Q -> 8;
            case S_Z -> osize == 16 ? 2 : 4;
            case S_V -> osize / 8;
            default -> 1;
        };
    }

    private static long readImm(byte[] c, int p, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = v << 8 | (c[p + i] & 0xff);
        return v;
    }

    /**
     * SIZE_BITS[size * 24 + row]: operand sizes resolved once; row = (osize 16/32/64 * 2 + W) * 4 + VL
     * (0 legacy, 1..3 for 128/256/512).
     */
    static final short[] SIZE_BITS = new short[32 * 24];
    /** IMM_BYTES[size * 3 + osize 16/32/64]: immediate bytes of an I operand. */
    static final byte[] IMM_BYTES = new byte[32 * 3];

    static {
        int[] os = {16, 32, 64}, vls = {0, 128, 256, 512};
        for (int s = 0; s < 32; s++) {
            for (int o = 0; o < 3; o++) {
                for (int w = 0; w < 2; w++) {
                    for (int v = 0; v < 4; v++) {
                        SIZE_BITS[s * 24 + (o * 2 + w) * 4 + v] = (short) computeSizeBits(s, os[o], w, vls[v]);
                    }
                }
                IMM_BYTES[s * 3 + o] = (byte) immBytes(s, os[o]);
            }
        }
    }

    static int computeSizeBits(int size, int osize, int w, int vl) {
        return switch (size) {
            case S_B -> 8;
            case S_W -> 16;
            case S_D -> 32;
            case S_Q -> 64;
            case S_V -> osize;
            case S_Z -> osize == 16 ? 16 : 32;
            case S_Y -> w != 0 ? 64 : 32;
            case S_DQ -> 128;
            case S_QQ -> 256;
            case S_DQQ -> 512;
            case S_X -> vl == 0 ? 128 : vl;
            case S_HX -> (vl == 0 ? 128 : vl) / 2;
            case S_QX -> (vl == 0 ? 128 : vl) / 4;
            case S_OX -> (vl == 0 ? 128 : vl) / 8;
            case S_SS -> 32;
            case S_SD -> 64;
            case S_SH -> 16;
            case S_T -> 80;
            case S_P -> osize + 16;
            case S_S -> 80;
            case S_E -> osize == 16 ? 112 : 224;
            case S_FS -> osize == 16 ? 752 : 864;
            case S_FX -> 4096;
            case S_KH -> 384;
            default -> 0;
        };
    }
}
