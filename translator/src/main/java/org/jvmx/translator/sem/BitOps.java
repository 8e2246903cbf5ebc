package org.jvmx.translator.sem;

import static org.jvmx.translator.sem.IntAccess.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.Register;
import org.jvmx.translator.cpu.LazyFlags;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;

/**
 * Bit tests, scans and counts, and the BMI1/BMI2 bit-field instructions (SDM Vol. 2A/2B: BT BTS
 * BTR BTC, BSF BSR, POPCNT LZCNT TZCNT, ANDN BEXTR BLSI BLSMSK BLSR BZHI PDEP PEXT).
 */
final class BitOps {
    private BitOps() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.BT, (c, i) -> bitTest(c, i, BT));
        in.put(Mnemonic.BTS, (c, i) -> bitTest(c, i, BTS));
        in.put(Mnemonic.BTR, (c, i) -> bitTest(c, i, BTR));
        in.put(Mnemonic.BTC, (c, i) -> bitTest(c, i, BTC));
        // BSF/BSR: a zero source leaves the whole destination register unchanged (no zero-extension)
        in.put(Mnemonic.BSF, (c, i) -> {
            int bits = i.operandBits(0);
            long s = Operands.read(c, i, 1);
            Register r = i.register(0);
            long v = c.flags.bsf(bits, Operands.readReg(c.gpr, r), s);
            if ((s & Operands.mask(bits)) != 0) Operands.writeReg(c.gpr, r, v);
        });
        in.put(Mnemonic.BSR, (c, i) -> {
            int bits = i.operandBits(0);
            long s = Operands.read(c, i, 1);
            Register r = i.register(0);
            long v = c.flags.bsr(bits, Operands.readReg(c.gpr, r), s);
            if ((s & Operands.mask(bits)) != 0) Operands.writeReg(c.gpr, r, v);
        });
        in.put(Mnemonic.POPCNT, (c, i) ->
                Operands.writeReg(c.gpr, i.register(0), c.flags.popcnt(i.operandBits(0), Operands.read(c, i, 1))));
        in.put(Mnemonic.LZCNT, (c, i) ->
                Operands.writeReg(c.gpr, i.register(0), c.flags.lzcnt(i.operandBits(0), Operands.read(c, i, 1))));
        in.put(Mnemonic.TZCNT, (c, i) ->
                Operands.writeReg(c.gpr, i.register(0), c.flags.tzcnt(i.operandBits(0), Operands.read(c, i, 1))));
        // ANDN Gy,By,Ey
        in.put(Mnemonic.ANDN, (c, i) -> Operands.writeReg(c.gpr, i.register(0),
                c.flags.andn(i.operandBits(0), Operands.read(c, i, 1), Operands.read(c, i, 2))));
        // BLSI/BLSMSK/BLSR By,Ey
        in.put(Mnemonic.BLSI, (c, i) ->
                Operands.writeReg(c.gpr, i.register(0), c.flags.blsi(i.operandBits(0), Operands.read(c, i, 1))));
        in.put(Mnemonic.BLSMSK, (c, i) ->
                Operands.writeReg(c.gpr, i.register(0), c.flags.blsmsk(i.operandBits(0), Operands.read(c, i, 1))));
        in.put(Mnemonic.BLSR, (c, i) ->
                Operands.writeReg(c.gpr, i.register(0), c.flags.blsr(i.operandBits(0), Operands.read(c, i, 1))));
        // BZHI Gy,Ey,By
        in.put(Mnemonic.BZHI, (c, i) -> Operands.writeReg(c.gpr, i.register(0),
                c.flags.bzhi(i.operandBits(0), Operands.read(c, i, 1), Operands.read(c, i, 2))));
        in.put(Mnemonic.BEXTR, BitOps::bextr);
        in.put(Mnemonic.PDEP, (c, i) -> Operands.writeReg(c.gpr, i.register(0),
                pdep(Operands.read(c, i, 1), Operands.read(c, i, 2) & Operands.mask(i.operandBits(0)))));
        in.put(Mnemonic.PEXT, (c, i) -> Operands.writeReg(c.gpr, i.register(0),
                pext(Operands.read(c, i, 1), Operands.read(c, i, 2) & Operands.mask(i.operandBits(0)))));
    }

    /**
     * BT/BTS/BTR/BTC Ev,Gv|Ib. An immediate offset is taken modulo the operand size. A register
     * offset with a memory operand is a signed bit index from the operand's address: the unit of
     * operand size that holds the bit is accessed (SDM Vol. 2A, BT, "bit base/bit offset";
     * Vol. 1, 3.5.2 Figure 3-11).
     */
    private static void bitTest(Cpu c, Instruction i, int op) {
        long off = Operands.read(c, i, 1);
        if (i.operandKind(0) == OperandKind.MEMORY && i.operandKind(1) == OperandKind.REGISTER) {
            int bits = i.operandBits(0);
            long s = Operands.signExtend(off, bits);
            long addr = Operands.address(c, i) + (s >> Integer.numberOfTrailingZeros(bits)) * (bits >>> 3);
            if (i.addressSize() == 32) addr = addressWrap32(c, i, addr);
            rmwAt(c, i, op, bits, addr, off);
            return;
        }
        rmw(c, i, op, off);
    }

    /** With a 32-bit address size the bit-base displacement wraps at 4 GiB like the rest of the address. */
    private static long addressWrap32(Cpu c, Instruction i, long addr) {
        long seg = Operands.segmentBase(c, i.memSegment());
        return ((addr - seg) & 0xFFFF_FFFFL) + seg;
    }

    /** BEXTR Gy,Ey,By (and the TBM form with an imm32 control): start = ctl[7:0], length = ctl[15:8]. */
    private static void bextr(Cpu c, Instruction i) {
        int bits = i.operandBits(0);
        long src = Operands.read(c, i, 1) & Operands.mask(bits);
        long ctl = Operands.read(c, i, 2);
        int start = (int) (ctl & 0xFF), len = (int) (ctl >>> 8 & 0xFF);
        long v = start >= bits ? 0 : src >>> start;
        if (len < 64) v &= (1L << len) - 1;
        Operands.writeReg(c.gpr, i.register(0), v);
        // ZF from the result, CF = OF = 0, SF AF PF undefined (kept)
        LazyFlags f = c.flags;
        long keep = f.rflags() & (LazyFlags.SF | LazyFlags.AF | LazyFlags.PF);
        f.setDirect(keep | (v == 0 ? LazyFlags.ZF : 0), LazyFlags.SF | LazyFlags.AF | LazyFlags.PF);
    }

    /** PDEP: the low bits of {@code src} deposited, in order, at the set bits of {@code mask}. */
    static long pdep(long src, long mask) {
        long r = 0;
        for (long m = mask; m != 0; m &= m - 1, src >>>= 1) {
            if ((src & 1) != 0) r |= m & -m;
        }
        return r;
    }

    /** PEXT: the bits of {@code src} at the set bits of {@code mask}, packed into the low bits. */
    static long pext(long src, long mask) {
        long r = 0;
        int k = 0;
        for (long m = mask; m != 0; m &= m - 1, k++) {
            if ((src & m & -m) != 0) r |= 1L << k;
        }
        return r;
    }
}
