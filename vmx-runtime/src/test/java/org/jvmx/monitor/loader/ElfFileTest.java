package org.jvmx.monitor.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ElfFileTest {

    // ---- a well-formed file

    @Test
    void parsesHeaderSectionsAndSegments() throws Exception {
        ElfFile f = new TestElf().parse();
        assertEquals(ElfFile.ET_EXEC, f.type());
        assertEquals(ElfFile.EM_X86_64, f.machine());
        assertEquals(0x401100L, f.entry());
        assertEquals(TestElf.SIZE, f.size());
        List<String> names = f.sections().stream().map(ElfSection::name).toList();
        assertEquals(List.of("", ".text", ".data", ".bss", ".shstrtab"), names);
        ElfSection text = f.section(".text").orElseThrow();
        assertTrue(text.isExecutable());
        assertTrue(text.hasFileContents());
        assertEquals(0x401100L, text.addr());
        assertArrayEquals(TestElf.CODE, f.bytes(text));
        ElfSection bss = f.section(".bss").orElseThrow();
        assertFalse(bss.hasFileContents());
        assertEquals(0, f.bytes(bss).length);
        assertEquals(2, f.segments().size());
        ElfSegment rw = f.segments().get(1);
        assertTrue(rw.isLoad() && rw.isWritable() && !rw.isExecutable());
        assertEquals(0x20, rw.memsz());
        assertEquals(8, f.contents(rw).byteSize());
        f.requireX86_64();
    }

    @Test
    void extendedSectionNumbering() throws Exception {
        TestElf e = new TestElf();
        e.b.putShort(0x3c, (short) 0).putLong(TestElf.sh(0, 0x20), TestElf.SHNUM); // e_shnum in sh_size of [0]
        e.b.putShort(0x3e, (short) 0xffff).putInt(TestElf.sh(0, 0x28), 4);         // e_shstrndx in sh_link of [0]
        assertEquals(".shstrtab", e.parse().sections().get(4).name());
    }

    @Test
    void noSectionHeadersIsFine() throws Exception {
        TestElf e = new TestElf();
        e.b.putLong(0x28, 0).putShort(0x3c, (short) 0).putShort(0x3e, (short) 0);
        ElfFile f = e.parse();
        assertTrue(f.sections().isEmpty());
        assertEquals(2, f.segments().size());
    }

    @Test
    void readsRealBinary() throws Exception {
        ElfFile f = ElfFile.read(Path.of("/bin/ls"));
        f.requireX86_64();
        ElfSection text = f.section(".text").orElseThrow();
        assertTrue(text.isExecutable());
        assertTrue(f.bytes(text).length > 1000);
        assertTrue(f.segments().stream().anyMatch(s -> s.isLoad() && s.isExecutable()));
    }

    // ---- identification and the ELF header

    @Test
    void notElf() {
        assertError(new byte[0], "not an ELF file", null);
        assertError(new byte[] {0x7f, 'E', 'L'}, "not an ELF file", null);
        assertError("#!/bin/sh\necho hello\n".getBytes(), "not an ELF file", null);
    }

    @Test
    void identification() {
        assertError(mutate(e -> e.b.put(4, (byte) 1)), "32-bit ELF", "offset 0x4");
        assertError(mutate(e -> e.b.put(4, (byte) 7)), "invalid ELF class 7", "offset 0x4");
        assertError(mutate(e -> e.b.put(5, (byte) 2)), "big-endian", "offset 0x5");
        assertError(mutate(e -> e.b.put(5, (byte) 0)), "data encoding", "offset 0x5");
        assertError(mutate(e -> e.b.put(6, (byte) 2)), "ELF version 2", "offset 0x6");
        assertError(Arrays.copyOf(new TestElf().bytes(), 10), "truncated ELF identification", null);
        assertError(Arrays.copyOf(new TestElf().bytes(), 40), "truncated ELF header: file is 40 bytes", null);
        assertError(mutate(e -> e.b.putShort(0x34, (short) 52)), "e_ehsize 52", "offset 0x34");
    }

    @Test
    void wrongMachine() throws Exception {
        ElfFile f = ElfFile.parse("arm.elf", mutate(e -> e.b.putShort(0x12, (short) ElfFile.EM_AARCH64)));
        ElfException ex = assertThrows(ElfException.class, f::requireX86_64);
        assertEquals("arm.elf: offset 0x12: not an x86-64 ELF file (e_machine 183 EM_AARCH64, expected 62 EM_X86_64)",
                ex.getMessage());
    }

    // ---- section header table

    @Test
    void sectionTableOutOfFile() {
        assertError(mutate(e -> e.b.putLong(0x28, 0x10000)), "e_shoff 0x10000 points past the end", "offset 0x28");
        assertError(mutate(e -> e.b.putLong(0x28, -64)), "points past the end", "offset 0x28");
        assertError(mutate(e -> e.b.putShort(0x3c, (short) 6)), "section header table (6 entries", "offset 0x28");
        assertError(Arrays.copyOf(new TestElf().bytes(), TestElf.SIZE - 1), "extends past the end of the file", null);
        assertError(mutate(e -> e.b.putShort(0x3a, (short) 40)), "e_shentsize 40", "offset 0x3a");
        assertError(mutate(e -> e.b.putLong(0x28, 0)), "e_shnum is 5 but e_shoff is 0", null);
        assertError(mutate(e -> {
            e.b.putShort(0x3c, (short) 0).putLong(TestElf.sh(0, 0x20), 0x7fff_ffff_ffffL);
        }), "implausibly large", null);
        assertError(mutate(e -> {
            e.b.putShort(0x3c, (short) 0).putLong(TestElf.sh(0, 0x20), 1000);
        }), "section header table (1000 entries", null);
    }

    @Test
    void sectionContentsOutOfFile() {
        String at = "offset 0x" + Integer.toHexString(TestElf.sh(1, 0));
        assertError(mutate(e -> e.b.putLong(TestElf.sh(1, 0x18), 0x5000)), "section header 1: contents [0x5000", at);
        assertError(mutate(e -> e.b.putLong(TestElf.sh(1, 0x20), 0x1000)), "extend past the end of the file", at);
        // offset + size overflows 64 bits: must not wrap around into the file
        assertError(mutate(e -> e.b.putLong(TestElf.sh(1, 0x20), -8)), "extend past the end of the file", at);
        assertError(mutate(e -> e.b.putLong(TestElf.sh(1, 0x18), -1).putLong(TestElf.sh(1, 0x20), 2)),
                "extend past the end of the file", at);
        assertError(mutate(e -> e.b.putLong(TestElf.sh(1, 0x30), 24)), "sh_addralign 0x18 is not a power of two", null);
    }

    @Test
    void nobitsSectionMayPointAnywhere() throws Exception {
        ElfFile f = ElfFile.parse("t", mutate(e -> e.b.putLong(TestElf.sh(3, 0x18), 0x7fff0000L).putLong(TestElf.sh(3, 0x20), 1L << 40)));
        assertEquals(1L << 40, f.section(".bss").orElseThrow().size());
    }

    @Test
    void sectionNames() {
        assertError(mutate(e -> e.b.putShort(0x3e, (short) 9)), "e_shstrndx 9 is not a section index", "offset 0x3e");
        assertError(mutate(e -> e.b.putShort(0x3e, (short) 1)), "has type 1, expected 3 (SHT_STRTAB)", null);
        assertError(mutate(e -> e.b.putInt(TestElf.sh(2, 0), 500)), "section header 2: sh_name 0x1f4 is outside the string table", null);
        assertError(mutate(e -> e.b.put(TestElf.STRTAB + TestElf.NAMES.length() - 1, (byte) 'x')),
                "not NUL-terminated", null);
        assertError(mutate(e -> {
            e.b.putShort(0x3e, (short) 0xffff).putInt(TestElf.sh(0, 0x28), -1);
        }), "e_shstrndx 4294967295 is not a section index", null);
    }

    // ---- program header table

    @Test
    void programHeaders() {
        assertError(mutate(e -> e.b.putLong(0x20, 0x1000)), "program header table (2 entries of 56 bytes at 0x1000)", "offset 0x20");
        assertError(mutate(e -> e.b.putShort(0x38, (short) 100)), "program header table (100 entries", null);
        assertError(mutate(e -> e.b.putShort(0x36, (short) 32)), "e_phentsize 32", "offset 0x36");
        String at1 = "offset 0x" + Integer.toHexString(TestElf.ph(1, 0));
        assertError(mutate(e -> e.b.putLong(TestElf.ph(1, 0x20), 0x1000).putLong(TestElf.ph(1, 0x28), 0x1000)),
                "program header 1: file bytes [0x110, 0x1110) extend past", at1);
        assertError(mutate(e -> e.b.putLong(TestElf.ph(1, 8), -0x10)), "extend past the end of the file", at1);
        assertError(mutate(e -> e.b.putLong(TestElf.ph(1, 0x28), 4)), "p_filesz 0x8 is larger than p_memsz 0x4", at1);
        assertError(mutate(e -> e.b.putLong(TestElf.ph(1, 0x30), 0x1800)), "p_align 0x1800 is not a power of two", null);
        assertError(mutate(e -> e.b.putLong(TestElf.ph(1, 0x10), 0x401000)), "not congruent modulo p_align", at1);
        assertError(mutate(e -> e.b.putLong(TestElf.ph(1, 0x10), -0x1000 + 0x110).putLong(TestElf.ph(1, 0x28), 0x1000)),
                "wraps around the address space", at1);
    }

    // ---- robustness: nothing but ElfException, whatever the bytes

    @Test
    void everyTruncationFailsCleanly() {
        byte[] full = new TestElf().bytes();
        for (int n = 0; n < full.length; n++) {
            byte[] cut = Arrays.copyOf(full, n);
            try {
                ElfFile.parse("cut", cut);
            } catch (ElfException e) {
                assertTrue(e.getMessage().startsWith("cut: "), e.getMessage());
            } catch (RuntimeException e) {
                fail("truncated to " + n + " bytes: " + e);
            }
        }
    }

    @Test
    void randomCorruptionFailsCleanly() {
        Random rnd = new Random(20261124);
        byte[] good = new TestElf().bytes();
        int parsed = 0;
        for (int iter = 0; iter < 20_000; iter++) {
            byte[] b = good.clone();
            int edits = 1 + rnd.nextInt(4);
            for (int k = 0; k < edits; k++) {
                // bias towards the headers, where the pointers are
                int pos = rnd.nextInt(4) == 0 ? rnd.nextInt(b.length) : rnd.nextBoolean() ? rnd.nextInt(0x40) : TestElf.SHOFF + rnd.nextInt(b.length - TestElf.SHOFF);
                b[pos] = (byte) (rnd.nextInt(8) == 0 ? 0xff : rnd.nextInt(256));
            }
            try {
                ElfFile f = ElfFile.parse("fuzz", b);
                parsed++;
                for (ElfSection s : f.sections()) f.contents(s);  // in bounds by construction
                for (ElfSegment p : f.segments()) f.contents(p);
            } catch (ElfException e) {
                assertFalse(e.getMessage().contains("\n"));
            } catch (RuntimeException e) {
                fail("input " + iter + ": " + e);
            }
        }
        assertTrue(parsed > 0, "some mutations leave a valid file");
    }

    // ---- helpers

    private static byte[] mutate(Consumer<TestElf> change) {
        TestElf e = new TestElf();
        change.accept(e);
        return e.bytes();
    }

    private static void assertError(byte[] image, String contains, String offset) {
        ElfException e = assertThrows(ElfException.class, () -> ElfFile.parse("bad.elf", image));
        String m = e.getMessage();
        assertTrue(m.startsWith("bad.elf: "), m);
        assertTrue(m.contains(contains), () -> "expected '" + contains + "' in: " + m);
        if (offset != null) assertTrue(m.contains(offset), () -> "expected '" + offset + "' in: " + m);
        assertFalse(m.contains("\n"), m);
    }
}
