package org.jvmx.monitor.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds a small valid ELF64 x86-64 executable image for tests, with helpers to corrupt one field.
 *
 * <pre>
 * 0x000 ELF header          0x040 2 program headers (PT_LOAD RX, PT_LOAD RW)
 * 0x100 .text (16 bytes)    0x110 .data (8 bytes)    0x118 .shstrtab
 * 0x140 5 section headers: [0] null, [1] .text, [2] .data, [3] .bss (NOBITS), [4] .shstrtab
 * </pre>
 */
final class TestElf {
    static final int PHOFF = 0x40, TEXT = 0x100, DATA = 0x110, STRTAB = 0x118, SHOFF = 0x140, SHNUM = 5, SIZE = SHOFF + SHNUM * 64;
    static final String NAMES = "\0.text\0.data\0.bss\0.shstrtab\0";
    static final byte[] CODE = {0x55, 0x48, (byte) 0x89, (byte) 0xe5, 0x31, (byte) 0xc0, 0x5d, (byte) 0xc3,
            (byte) 0x90, (byte) 0x90, (byte) 0x90, (byte) 0x90, (byte) 0x90, (byte) 0x90, (byte) 0x90, (byte) 0x90};

    final ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);

    TestElf() {
        b.put(0, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(0x10, (short) ElfFile.ET_EXEC).putShort(0x12, (short) ElfFile.EM_X86_64).putInt(0x14, 1);
        b.putLong(0x18, 0x401100L).putLong(0x20, PHOFF).putLong(0x28, SHOFF).putInt(0x30, 0);
        b.putShort(0x34, (short) 64).putShort(0x36, (short) 56).putShort(0x38, (short) 2);
        b.putShort(0x3a, (short) 64).putShort(0x3c, (short) SHNUM).putShort(0x3e, (short) 4);
        phdr(0, ElfSegment.PT_LOAD, ElfSegment.PF_R | ElfSegment.PF_X, 0, 0x400000, 0x118, 0x118, 0x1000);
        phdr(1, ElfSegment.PT_LOAD, ElfSegment.PF_R | ElfSegment.PF_W, DATA, 0x401110, 8, 0x20, 0x1000);
        b.put(TEXT, CODE);
        b.putLong(DATA, 0x1122334455667788L);
        b.put(STRTAB, NAMES.getBytes(StandardCharsets.ISO_8859_1));
        shdr(1, NAMES.indexOf(".text"), ElfSection.SHT_PROGBITS, ElfSection.SHF_ALLOC | ElfSection.SHF_EXECINSTR,
                0x401100, TEXT, 16, 16);
        shdr(2, NAMES.indexOf(".data"), ElfSection.SHT_PROGBITS, ElfSection.SHF_ALLOC | ElfSection.SHF_WRITE,
                0x401110, DATA, 8, 8);
        shdr(3, NAMES.indexOf(".bss"), ElfSection.SHT_NOBITS, ElfSection.SHF_ALLOC | ElfSection.SHF_WRITE,
                0x401118, 0x118, 0x18, 8);
        shdr(4, NAMES.indexOf(".shstrtab"), ElfSection.SHT_STRTAB, 0, 0, STRTAB, NAMES.length(), 1);
    }

    void phdr(int i, int type, int flags, long off, long vaddr, long filesz, long memsz, long align) {
        int h = PHOFF + i * 56;
        b.putInt(h, type).putInt(h + 4, flags).putLong(h + 8, off).putLong(h + 0x10, vaddr).putLong(h + 0x18, vaddr)
                .putLong(h + 0x20, filesz).putLong(h + 0x28, memsz).putLong(h + 0x30, align);
    }

    void shdr(int i, int name, int type, long flags, long addr, long off, long size, long align) {
        int h = SHOFF + i * 64;
        b.putInt(h, name).putInt(h + 4, type).putLong(h + 8, flags).putLong(h + 0x10, addr).putLong(h + 0x18, off)
                .putLong(h + 0x20, size).putLong(h + 0x30, align);
    }

    static int sh(int i, int field) {
        return SHOFF + i * 64 + field;
    }

    static int ph(int i, int field) {
        return PHOFF + i * 56 + field;
    }

    byte[] bytes() {
        return b.array().clone();
    }

    ElfFile parse() throws ElfException {
        return ElfFile.parse("test.elf", bytes());
    }
}
