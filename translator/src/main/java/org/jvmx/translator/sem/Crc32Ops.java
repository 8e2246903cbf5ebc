package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;

/**
 * CRC32 (SDM Vol. 2, CRC32 - Accumulate CRC32 Value): the CRC-32C (Castagnoli) polynomial
 * 11EDC6F41h over the bytes of an 8/16/32/64-bit source, least significant byte first and
 * bit-reflected, accumulated into the low 32 bits of the destination; the 32-bit result is
 * zero-extended into a 64-bit destination. A general-purpose instruction: no SSE gate, flags
 * unchanged.
 */
final class Crc32Ops {
    private Crc32Ops() {
    }

    /** 11EDC6F41h without its x^32 term, bit-reversed (the reflected form of the algorithm). */
    static final int REFLECTED_POLY = 0x82F63B78;
    /** The CRC of each byte value, one table step per byte. */
    private static final int[] TABLE = new int[256];

    static {
        for (int b = 0; b < 256; b++) {
            int r = b;
            for (int k = 0; k < 8; k++) r = (r >>> 1) ^ ((r & 1) != 0 ? REFLECTED_POLY : 0);
            TABLE[b] = r;
        }
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.CRC32, Crc32Ops::crc32);
    }

    static void crc32(Cpu c, Instruction i) {
        long src = Operands.read(c, i, 1);
        int bytes = i.operandBits(1) >>> 3;
        int crc = (int) Operands.readReg(c.gpr, i.register(0));
        Operands.writeReg(c.gpr, i.register(0), update(crc, src, bytes) & 0xFFFF_FFFFL);
    }

    /** {@code crc} advanced over the low {@code bytes} bytes of {@code data}, low byte first. */
    static int update(int crc, long data, int bytes) {
        for (int k = 0; k < bytes; k++) crc = (crc >>> 8) ^ TABLE[(crc ^ (int) (data >>> (8 * k))) & 0xFF];
        return crc;
    }
}
