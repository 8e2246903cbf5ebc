package org.jvmx.decoder;

import static org.jvmx.decoder.OperandCode.*;

/**
 * Operand sizes of the spec's size codes (FORMAT.md "Sizes"), resolved once per operand size, W,
 * vector length and mode (64-bit or not), and the byte counts of immediates.
 */
final class OperandSizes {
    private OperandSizes() { }

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

    /**
     * SIZE_BITS[size * SIZE_ROWS + row]: operand sizes resolved once; in 64-bit mode row = (osize 16/32/64 * 2 + W) * 4
     * + VL (0 legacy, 1..3 for 128/256/512); outside it row = SIZE_ROWS_LEGACY + (osize 16/32 * 2) * 4 + VL (W = 0: W
     * does not size general registers there).
     */
    static final int SIZE_ROWS = 48, SIZE_ROWS_LEGACY = 24;
    static final short[] SIZE_BITS = new short[32 * SIZE_ROWS];
    /** IMM_BYTES[size * 3 + osize 16/32/64]: immediate bytes of an I operand. */
    static final byte[] IMM_BYTES = new byte[32 * 3];

    static {
        int[] os = {16, 32, 64}, vls = {0, 128, 256, 512};
        for (int s = 0; s < 32; s++) {
            for (int o = 0; o < 3; o++) {
                for (int w = 0; w < 2; w++) {
                    for (int v = 0; v < 4; v++) {
                        SIZE_BITS[s * SIZE_ROWS + (o * 2 + w) * 4 + v] = (short) computeSizeBits(s, os[o], w, vls[v], true);
                        SIZE_BITS[s * SIZE_ROWS + SIZE_ROWS_LEGACY + (o * 2 + w) * 4 + v] = (short) computeSizeBits(s, os[o], 0, vls[v], false);
                    }
                }
                IMM_BYTES[s * 3 + o] = (byte) immBytes(s, os[o]);
            }
        }
    }

    static int computeSizeBits(int size, int osize, int w, int vl, boolean mode64) {
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
            case S_S -> mode64 ? 80 : 48; // m16&64, outside 64-bit mode m16&32 (LGDT: the 16-bit form reads 24 bits of base)
            case S_E -> osize == 16 ? 112 : 224;
            case S_FS -> osize == 16 ? 752 : 864;
            case S_FX -> 4096;
            case S_KH -> 384;
            case S_N -> mode64 ? 64 : 32;
            case S_A -> 2 * osize;
            default -> 0;
        };
    }
}
