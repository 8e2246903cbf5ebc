package org.jvmx.translator.cpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.jvmx.translator.cpu.LazyFlags.*;

import org.junit.jupiter.api.Test;

/** Hand-checked edge values per operation and size (Intel SDM Vol. 2 instruction pages). */
class LazyFlagsTest {
    private final LazyFlags f = new LazyFlags();

    /** Flags named in {@code expect} ("C P A Z S O") are set, the other defined ones clear. */
    private void flags(String expect) {
        long want = 0;
        for (String n : expect.split(" ")) {
            want |= switch (n) {
                case "C" -> CF; case "P" -> PF; case "A" -> AF; case "Z" -> ZF; case "S" -> SF; case "O" -> OF;
                case "" -> 0L;
                default -> throw new IllegalArgumentException(n);
            };
        }
        long def = f.definedMask();
        assertEquals(Long.toBinaryString(want & def), Long.toBinaryString(f.rflags() & def), f::toString);
        // the single-flag readers agree with the word
        long w = f.rflags();
        assertEquals((w & CF) != 0, f.cf());
        assertEquals((w & PF) != 0, f.pf());
        assertEquals((w & AF) != 0, f.af());
        assertEquals((w & ZF) != 0, f.zf());
        assertEquals((w & SF) != 0, f.sf());
        assertEquals((w & OF) != 0, f.of());
    }

    @Test
    void addAtEverySize() {
        assertEquals(0, f.add(8, 0xff, 1));
        flags("C P A Z");
        assertEquals(0x80, f.add(8, 0x7f, 1));
        flags("A S O");
        assertEquals(0, f.add(16, 0x8000, 0x8000));
        flags("C P Z O");
        assertEquals(0x8000_0000L, f.add(32, 0x7fff_ffff, 1));
        flags("P A S O");
        assertEquals(0, f.add(64, -1, 1));
        flags("C P A Z");
        assertEquals(Long.MIN_VALUE, f.add(64, Long.MAX_VALUE, 1));
        flags("P A S O");
        assertEquals(0, f.add(64, 0, 0));
        flags("P Z");
        assertEquals(3, f.add(8, 0x1_01, 0x7_02)); // bits above the size are ignored
        flags("P");
        assertEquals(-2L, f.add(64, -1, -1));
        flags("C A S");
    }

    @Test
    void adcUsesAndProducesCarry() {
        f.setDirect(CF);
        assertEquals(0, f.adc(8, 0xff, 0));
        flags("C P A Z");
        f.setDirect(CF);
        assertEquals(0xff, f.adc(8, 0xff, 0xff)); // 0xff + 0xff + 1 = 0x1ff
        flags("C P A S");
        f.setDirect(0);
        assertEquals(0xfe, f.adc(8, 0xff, 0xff));
        flags("C A S");
        f.setDirect(CF);
        assertEquals(Long.MIN_VALUE, f.adc(64, Long.MAX_VALUE, 0));
        flags("P A S O");
        f.setDirect(CF);
        assertEquals(-1L, f.adc(64, -1, -1)); // 2^65 - 1
        flags("C P A S");
        f.setDirect(CF);
        assertEquals(0, f.adc(32, 0xffff_ffffL, 0));
        flags("C P A Z");
    }

    @Test
    void subCmpAndSbb() {
        assertEquals(0xff, f.sub(8, 0, 1));
        flags("C P A S");
        assertEquals(0x7f, f.sub(8, 0x80, 1));
        flags("A O");
        f.cmp(16, 5, 5);
        flags("P Z");
        f.cmp(64, Long.MIN_VALUE, 1);
        flags("A O P");
        f.cmp(32, 1, 2);
        flags("C P A S");
        f.setDirect(CF);
        assertEquals(0xffff, f.sbb(16, 5, 5)); // borrow-in makes equal operands borrow
        flags("C P A S");
        f.setDirect(CF);
        assertEquals(0, f.sbb(64, 1, 0));
        flags("P Z");
        f.setDirect(CF);
        assertEquals(0, f.sbb(64, 0, -1)); // 0 - (2^64-1) - 1 borrows
        flags("C P A Z");
    }

    @Test
    void logicClearsCfOfAndLeavesAfUndefined() {
        f.setDirect(STATUS);
        assertEquals(0, f.and(8, 0xf0, 0x0f));
        flags("P Z");
        assertEquals(AF, f.undefinedMask());
        assertEquals(Long.MIN_VALUE | 1, f.or(64, Long.MIN_VALUE, 1));
        flags("S");
        assertEquals(0xffff, f.xor(16, 0xff00, 0x00ff));
        flags("P S");
        f.test(32, 0x8000_0000L, -1);
        flags("P S");
    }

    @Test
    void incDecKeepCarry() {
        f.setDirect(CF);
        assertEquals(0, f.inc(8, 0xff));
        flags("C P A Z");
        f.setDirect(0);
        assertEquals(0, f.inc(8, 0xff));
        flags("P A Z");
        assertEquals(0x8000, f.inc(16, 0x7fff));
        flags("P A S O");
        f.setDirect(CF);
        assertEquals(0x7fff_ffffL, f.dec(32, 0x8000_0000L));
        flags("C P A O");
        f.setDirect(0);
        assertEquals(-1L, f.dec(64, 0));
        flags("P A S");
        assertEquals(Long.MAX_VALUE, f.dec(64, Long.MIN_VALUE));
        flags("P A O");
        assertEquals(0x10, f.inc(64, 0xf));
        flags("A");
    }

    @Test
    void neg() {
        assertEquals(0, f.neg(8, 0));
        flags("P Z");
        assertEquals(0x80, f.neg(8, 0x80));
        flags("C S O");
        assertEquals(0xffff, f.neg(16, 1));
        flags("C P A S");
        assertEquals(Long.MIN_VALUE, f.neg(64, Long.MIN_VALUE));
        flags("C P S O");
        assertEquals(0xffff_fff0L, f.neg(32, 0x10));
        flags("C P S");
    }

    @Test
    void shiftsByZeroChangeNothingAndCountsAreMasked() {
        f.setDirect(CF | ZF | OF);
        assertEquals(0x81, f.shl(8, 0x81, 0));
        assertEquals(0x81, f.shl(8, 0x81, 32)); // 32 & 31 = 0
        assertEquals(0x81, f.rol(8, 0x81, 0x20));
        assertEquals(5, f.sar(64, 5, 64));
        assertEquals(DIRECT, f.op());
        assertEquals(CF | ZF | OF, f.rflags());
        assertEquals(0, f.shr(32, 1, 33)); // 33 & 31 = 1
        flags("C P Z");
    }

    @Test
    void shlShrSar() {
        assertEquals(0, f.shl(8, 0x80, 1));
        flags("C P Z O");
        assertEquals(0x80, f.shl(8, 0x40, 1));
        flags("S O");
        assertEquals(0, f.shl(8, 0x01, 8)); // count = size: CF (bit 0 out) undefined
        assertEquals(AF | OF | CF, f.undefinedMask());
        flags("P Z");
        assertEquals(Long.MIN_VALUE, f.shl(64, 1, 63));
        flags("P S");
        assertEquals(OF | AF, f.undefinedMask());
        assertEquals(0x40, f.shr(8, 0x81, 1));
        flags("C O");
        assertEquals(0, f.shr(16, 0x8000, 16)); // CF undefined (count >= size)
        flags("P Z");
        assertEquals(0x7fff_ffffL, f.shr(32, 0xffff_ffffL, 1));
        flags("C P O");
        assertEquals(0xc0, f.sar(8, 0x81, 1));
        flags("C P S");
        assertEquals(0xff, f.sar(8, 0x80, 31)); // past the size: all sign bits, CF = sign
        flags("C P S");
        assertEquals(-1L, f.sar(64, Long.MIN_VALUE, 63));
        flags("P S");
        assertEquals(0, f.sar(32, 1, 1));
        flags("C P Z");
    }

    @Test
    void rotatesChangeOnlyCfAndOf() {
        f.setDirect(PF | ZF | SF | AF);
        assertEquals(0x03, f.rol(8, 0x81, 1));
        flags("C P Z S A O"); // MSB(res)=0 xor CF=1 -> OF
        f.setDirect(0);
        assertEquals(0x40_00, f.ror(16, 0x80_00, 1));
        flags("O"); // MSB 0, MSB-1 1
        f.setDirect(0);
        assertEquals(0x81, f.rol(8, 0x81, 8)); // masked count 8, rotation 0: CF = LSB
        flags("C");
        assertEquals(OF, f.undefinedMask());
        f.setDirect(0);
        assertEquals(Long.MIN_VALUE, f.ror(64, 1, 1));
        flags("C O");
        f.setDirect(ZF);
        assertEquals(0x8000_0000L, f.ror(32, 1, 33)); // 33 & 31 = 1
        flags("C Z O");
        assertEquals(0x6, f.rol(32, 0x8000_0001L, 2));
        flags("Z");
    }

    @Test
    void directWritesSahfAndCarryOps() {
        f.setDirect(-1L);
        assertEquals(STATUS, f.rflags());
        f.sahf(0);
        assertEquals(OF, f.rflags());
        f.setCf(true);
        assertEquals(OF | CF, f.rflags());
        f.add(8, 1, 1);
        f.setCf(true);
        assertEquals(CF, f.rflags());
    }

    @Test
    void undefinedFlagsSurviveOperationsThatKeepThem() {
        f.shl(8, 1, 3); // OF, AF undefined
        f.rol(8, 1, 1); // keeps AF (undefined), defines OF
        assertEquals(AF, f.undefinedMask());
        f.shr(8, 3, 9); // CF undefined (count > size)
        f.inc(8, 1);    // keeps CF
        assertEquals(CF, f.undefinedMask());
        f.adc(8, 1, 1); // an undefined carry-in makes everything undefined
        assertEquals(STATUS, f.undefinedMask());
        f.add(8, 1, 1);
        assertEquals(0, f.undefinedMask());
    }

    @Test
    void conditionsMatchTheirFlagFormulas() {
        for (long w = 0; w < 64; w++) {
            long fl = ((w & 1) != 0 ? CF : 0) | ((w & 2) != 0 ? PF : 0) | ((w & 4) != 0 ? ZF : 0)
                    | ((w & 8) != 0 ? SF : 0) | ((w & 16) != 0 ? OF : 0) | ((w & 32) != 0 ? AF : 0);
            f.setDirect(fl);
            boolean c = (fl & CF) != 0, p = (fl & PF) != 0, z = (fl & ZF) != 0, s = (fl & SF) != 0, o = (fl & OF) != 0;
            boolean[] want = { o, !o, c, !c, z, !z, c || z, !(c || z), s, !s, p, !p, s != o, s == o, z || s != o,
                    !(z || s != o) };
            for (int cc = 0; cc < 16; cc++) assertEquals(want[cc], f.condition(cc), "cc " + cc + " flags " + fl);
        }
        f.cmp(32, 1, 2); // 1 < 2 both signed and unsigned
        assertTrue(f.condition(0x2) && f.condition(0xc) && !f.condition(0x4));
        f.cmp(8, 0x80, 1); // -128 < 1 signed, 128 > 1 unsigned
        assertTrue(f.condition(0x7) && f.condition(0xc));
    }
}
