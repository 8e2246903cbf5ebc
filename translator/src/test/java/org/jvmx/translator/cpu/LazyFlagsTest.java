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
    void rotatesThroughCarry() {
        f.setDirect(CF);
        assertEquals(0x01, f.rcl(8, 0x80, 1)); // 1:1000_0000 -> 1:0000_0001
        flags("C O"); // MSB(res)=0 xor CF=1
        assertEquals(0, f.undefinedMask());
        f.setDirect(PF | SF);
        assertEquals(0x81, f.rcl(8, 0x81, 9)); // 9 mod 9: a whole turn, CF unchanged
        flags("P S");
        assertEquals(OF, f.undefinedMask());
        f.setDirect(ZF);
        assertEquals(0, f.rcl(32, 2, 31)); // bit 1 reaches CF, CF (0) reaches bit 30, bit 0 (0) bit 31
        flags("C Z");
        f.setDirect(CF);
        assertEquals(Long.MIN_VALUE, f.rcr(64, 1, 1));
        flags("C O"); // MSB 1, MSB-1 0
        f.setDirect(CF);
        assertEquals(0xc0, f.rcr(8, 0x03, 2)); // 1:0000_0011 -> bit 1 to CF, CF to bit 6, bit 0 to bit 7
        flags("C");
        f.setDirect(CF);
        assertEquals(0x8000, f.rcr(16, 0x8000, 0x11 | 0x20)); // masked 17, mod 17 = 0
        flags("C");
        assertEquals(0xc000, f.rcr(16, 0x8000, 1)); // carry-in 1 kept by the recorded whole-turn RCR
        flags(""); // bit 0 out; MSB 1 xor MSB-1 1
        f.setDirect(0);
        assertEquals(0x8000, f.rcr(16, 0x8000, 0)); // count 0: nothing recorded
        assertEquals(DIRECT, f.op());
    }

    @Test
    void doubleShifts() {
        assertEquals(0x0003, f.shld(16, 0x8001, 0xc000, 1));
        flags("C P O");
        assertEquals(0xffff_ffffL, f.shld(32, 1, 0xffff_ffffL, 31));
        flags("P S");
        assertEquals(AF | OF, f.undefinedMask());
        assertEquals(0xabcd, f.shld(16, 0x1234, 0xabcd, 16)); // count = size: result is the source
        flags("S");
        f.shld(16, 1, 2, 17);
        assertEquals(STATUS, f.undefinedMask()); // count over 16: everything undefined
        assertEquals(0, f.shrd(32, 1, 0, 1));
        flags("C P Z");
        assertEquals(Long.MIN_VALUE, f.shrd(64, 0, 1, 1));
        flags("P S O");
        assertEquals(1, f.shrd(16, 0x8000, 1, 16));
        flags("C");
        f.setDirect(ZF);
        assertEquals(5, f.shld(64, 5, -1, 64)); // masked count 0
        assertEquals(ZF, f.rflags());
    }

    @Test
    void multiplies() {
        assertEquals(0, f.mul(8, 0x10, 0x10));
        assertEquals(1, f.high());
        flags("C O");
        assertEquals(SF | ZF | AF | PF, f.undefinedMask());
        assertEquals(1, f.mul(64, -1, -1));
        assertEquals(-2L, f.high());
        flags("C O");
        assertEquals(0xffff_ffffL, f.mul(32, 0xffff, 0x1_0001));
        assertEquals(0, f.high());
        flags("");
        assertEquals(1, f.mul(16, 0xffff, 0xffff));
        assertEquals(0xfffe, f.high());
        flags("C O");
        assertEquals(1, f.imul(8, 0xff, 0xff)); // -1 * -1
        flags("");
        assertEquals(0x80, f.imul(8, 0x80, 0xff)); // 128 does not fit
        assertEquals(0, f.high());
        flags("C O");
        assertEquals(0x8000, f.imul(16, 0xffff, 0x8000));
        flags("C O");
        assertEquals(Long.MIN_VALUE, f.imul(64, Long.MIN_VALUE, -1));
        flags("C O");
        assertEquals(-6L, f.imul(64, -2, 3));
        assertEquals(-1L, f.high());
        flags("");
        assertEquals(0x8000_0000L, f.imul(32, 0x1_0000, 0x8000));
        flags("C O");
        assertEquals(0x8000_0000L, f.imul(32, 0x1_0000, 0xffff_8000L)); // -2^31 fits
        assertEquals(0xffff_ffffL, f.high());
        flags("");
    }

    @Test
    void bitTestsKeepZf() {
        f.setDirect(ZF);
        assertEquals(0x8000_0000L, f.bt(32, 0x8000_0000L, 31));
        flags("C Z");
        assertEquals(OF | SF | AF | PF, f.undefinedMask());
        assertEquals(2, f.bts(16, 0, 17)); // offset mod 16
        flags("Z");
        assertEquals(Long.MAX_VALUE, f.btr(64, -1, 64 + 63));
        flags("C Z");
        assertEquals(1, f.btc(32, 5, 34));
        flags("C Z");
        f.setDirect(0);
        assertEquals(0, f.btc(16, 4, 2));
        flags("C");
    }

    @Test
    void bitScansAndCounts() {
        assertEquals(7, f.bsf(32, 0x1234, 0x80));
        flags("");
        assertEquals(CF | OF | SF | AF | PF, f.undefinedMask());
        assertEquals(77, f.bsf(64, 77, 0)); // zero source: destination unchanged
        flags("Z");
        assertEquals(0, f.bsr(16, 0, 0x1_0001));
        flags("");
        assertEquals(63, f.bsr(64, 0, Long.MIN_VALUE));
        flags("");
        assertEquals(0xabcd, f.bsr(16, 0xabcd, 0x1_0000));
        flags("Z");

        f.setDirect(STATUS);
        assertEquals(0, f.popcnt(16, 0x1_0000));
        assertEquals(ZF, f.rflags());
        assertEquals(0, f.undefinedMask());
        assertEquals(64, f.popcnt(64, -1));
        assertEquals(0, f.rflags());

        assertEquals(16, f.lzcnt(16, 0));
        flags("C");
        assertEquals(OF | SF | AF | PF, f.undefinedMask());
        assertEquals(0, f.lzcnt(32, 0x8000_0000L));
        flags("Z");
        assertEquals(63, f.lzcnt(64, 1));
        flags("");
        assertEquals(32, f.tzcnt(32, 0));
        flags("C");
        assertEquals(0, f.tzcnt(64, 1));
        flags("Z");
        assertEquals(15, f.tzcnt(16, 0x8000));
        flags("");
    }

    @Test
    void bmi() {
        f.setDirect(STATUS);
        assertEquals(0x5678, f.andn(32, 0xffff_0000L, 0x1234_5678));
        flags("");
        assertEquals(AF | PF, f.undefinedMask());
        assertEquals(0, f.andn(64, -1, 5));
        flags("Z");
        assertEquals(0x8000_0000L, f.andn(32, 0, 0x8000_0000L));
        flags("S");
        assertEquals(2, f.blsi(32, 0x12));
        flags("C");
        assertEquals(0, f.blsi(64, 0));
        flags("Z");
        assertEquals(Long.MIN_VALUE, f.blsi(64, Long.MIN_VALUE));
        flags("C S");
        assertEquals(0x1f, f.blsmsk(32, 0x10));
        flags("");
        assertEquals(0xffff_ffffL, f.blsmsk(32, 0));
        flags("C S");
        assertEquals(1, f.blsmsk(64, 1));
        flags("");
        assertEquals(0x10, f.blsr(32, 0x18));
        flags("");
        assertEquals(0, f.blsr(32, 0));
        flags("C Z");
        assertEquals(0, f.blsr(64, Long.MIN_VALUE));
        flags("Z");
        assertEquals(0xf, f.bzhi(32, 0xffff_ffffL, 4));
        flags("");
        assertEquals(0x8000_0000L, f.bzhi(32, 0x8000_0000L, 32)); // index >= size: CF, nothing cleared
        flags("C S");
        assertEquals(-1L, f.bzhi(64, -1, 0x140)); // index from bits 7:0 only: 0x40
        flags("C S");
        assertEquals(0, f.bzhi(64, 0xff, 0x100)); // index 0
        flags("Z");
        assertEquals(0x7fff_ffffL, f.bzhi(32, -1, 31));
        flags("");
        assertEquals(Long.MAX_VALUE, f.bzhi(64, -1, 63));
        flags("");
    }

    @Test
    void adxChangesOnlyItsCarry() {
        f.setDirect(CF | ZF | OF | SF);
        assertEquals(0, f.adcx(32, 0xffff_ffffL, 0));
        flags("C Z O S");
        f.setDirect(OF);
        assertEquals(0, f.adcx(64, -1, 1));
        flags("C O");
        f.setDirect(CF);
        assertEquals(0, f.adox(64, -1, 1));
        flags("C O");
        f.setDirect(OF);
        assertEquals(0x8000_0000L, f.adox(32, 0x7fff_ffff, 0)); // signed overflow is not a carry
        flags("");
        f.setDirect(OF | PF);
        assertEquals(0, f.adox(32, 0xffff_ffffL, 0));
        flags("O P");
        f.shl(8, 1, 3); // OF, AF undefined
        f.adcx(32, 1, 1);
        assertEquals(AF | OF, f.undefinedMask());
        f.adox(32, 1, 1); // undefined carry-in
        assertEquals(AF | OF, f.undefinedMask());
        f.shr(8, 3, 9); // CF undefined
        f.rcl(8, 1, 1);
        assertEquals(STATUS, f.undefinedMask());
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
