package org.jvmx.decoder;

import static org.jvmx.decoder.Decoder.*;
import static org.jvmx.decoder.OperandCode.*;

/**
 * The decoder's register tables: which ModRM/VEX/opcode field a register operand kind reads, which
 * of its values name a register, and the register classes (general registers by width, with and
 * without REX; vector registers by width). Shared by {@link Decoder} and {@link FastPath}.
 */
final class RegisterFields {
    private RegisterFields() { }

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
}
