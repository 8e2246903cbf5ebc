package org.jvmx.monitor.loader;

/**
 * One ELF64 section header (System V ABI, "Sections"). {@code offset}/{@code size} have been checked
 * against the file when {@link #hasFileContents()}.
 *
 * @param index     the section's index in the section header table
 * @param name      the name from the section header string table ("" when there is none)
 * @param headerOffset file offset of this section header
 */
public record ElfSection(int index, String name, int type, long flags, long addr, long offset, long size,
                         int link, int info, long addralign, long entsize, long headerOffset) {

    public static final int SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4,
            SHT_HASH = 5, SHT_DYNAMIC = 6, SHT_NOTE = 7, SHT_NOBITS = 8, SHT_REL = 9, SHT_DYNSYM = 11,
            SHT_INIT_ARRAY = 14, SHT_FINI_ARRAY = 15, SHT_SYMTAB_SHNDX = 18;

    public static final long SHF_WRITE = 0x1, SHF_ALLOC = 0x2, SHF_EXECINSTR = 0x4;

    /** SHF_EXECINSTR: the section holds machine code. */
    public boolean isExecutable() {
        return (flags & SHF_EXECINSTR) != 0;
    }

    /** SHF_ALLOC: the section occupies memory when the program runs. */
    public boolean isAllocated() {
        return (flags & SHF_ALLOC) != 0;
    }

    /** The section has bytes in the file (not SHT_NOBITS, not SHT_NULL, size &gt; 0). */
    public boolean hasFileContents() {
        return type != SHT_NOBITS && type != SHT_NULL && size != 0;
    }

    /** Name for messages: the section name, or {@code [index]} when it has none. */
    public String displayName() {
        return name.isEmpty() ? "[" + index + "]" : name;
    }
}
