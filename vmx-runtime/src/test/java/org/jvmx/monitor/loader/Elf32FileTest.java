package org.jvmx.monitor.loader;

import static org.jvmx.monitor.loader.BootImages.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Elf32FileTest {
    static byte[] sample() {
        return elf32(0xC0100010L, 0, new Seg(ElfSegment.PT_LOAD, 0xC0100000L, 0x100000, pattern(0x80, 1), 0x80),
                Seg.load(0x102000, pattern(0x10, 2), 0x1000));
    }

    @Test
    void parsesHeaderAndProgramHeaders() throws Exception {
        Elf32File f = Elf32File.parse("k32", sample());
        f.requireI386Executable();
        assertEquals(0xC0100010L, f.entry(), "zero-extended");
        assertEquals(2, f.segments().size());
        ElfSegment p = f.segments().get(0);
        assertEquals(0xC0100000L, p.vaddr());
        assertEquals(0x100000, p.paddr());
        assertEquals(0x34, p.headerOffset());
        assertArrayEquals(pattern(0x80, 1), f.contents(p));
        assertEquals(0x1000, f.segments().get(1).memsz());
    }

    @Test
    void identification() {
        assertError(new byte[] {0x7f, 'E'}, "not an ELF file");
        assertError(Arrays.copyOf(sample(), 12), "truncated ELF identification");
        byte[] b = sample();
        b[4] = 2;
        assertError(b, "k32: offset 0x4: 64-bit ELF (ELFCLASS64) where a 32-bit (ELFCLASS32) file is needed");
        b = sample();
        b[5] = 2;
        assertError(b, "big-endian");
        b = sample();
        b[6] = 0;
        assertError(b, "ELF version 0");
        b = sample();
        b[0x28] = 40;
        assertError(b, "e_ehsize 40");
        b = sample();
        b[0x2a] = 20;
        assertError(b, "e_phentsize 20");
        b = sample();
        b[0x2c] = (byte) 0xff;
        b[0x2d] = (byte) 0xff;
        assertError(b, "extended program header numbering");
        b = sample();
        b[0x34 + 28] = 3; // p_align 0x1003
        assertError(b, "p_align 0x1003 is not a power of two");
        b = sample();
        b[0x34 + 32 + 12 + 3] = (byte) 0xff; // paddr 0xff102000 + memsz 0x1000 fits; vaddr wrap needs more
        b[0x34 + 32 + 20 + 3] = 0x10; // memsz 0x10001000
        assertError(b, "wraps around the 32-bit address space");
    }

    @Test
    void everyTruncationAndCorruptionFailsCleanly() {
        byte[] full = sample();
        for (int n = 0; n < full.length; n += (n < 0x200 ? 1 : 61)) {
            try {
                Elf32File.parse("cut", Arrays.copyOf(full, n));
            } catch (ElfException e) {
                assertTrue(e.getMessage().startsWith("cut: "));
            } catch (RuntimeException e) {
                fail("truncated to " + n + ": " + e);
            }
        }
        Random rnd = new Random(7);
        for (int iter = 0; iter < 20_000; iter++) {
            byte[] b = full.clone();
            for (int k = 1 + rnd.nextInt(4); k > 0; k--) b[rnd.nextInt(0x80)] = (byte) rnd.nextInt(256);
            try {
                Elf32File f = Elf32File.parse("fuzz", b);
                for (ElfSegment p : f.segments()) f.contents(p);
            } catch (ElfException e) {
                assertFalse(e.getMessage().contains("\n"));
            } catch (RuntimeException e) {
                fail("input " + iter + ": " + e);
            }
        }
    }

    static void assertError(byte[] image, String expected) {
        ElfException e = assertThrows(ElfException.class, () -> Elf32File.parse("k32", image));
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }
}
