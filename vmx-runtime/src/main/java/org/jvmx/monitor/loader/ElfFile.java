package org.jvmx.monitor.loader;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A parsed ELF64 little-endian file: the ELF header, the section headers with their names and the
 * program headers (System V ABI, gABI chapter 4 and 5; x86-64 psABI).
 *
 * <p>The reader trusts nothing in the file. Every offset, size and count is checked against the
 * file size with overflow-safe unsigned arithmetic before it is used, so a parsed {@code ElfFile}
 * only hands out in-bounds contents. A malformed file gives an {@link ElfException} whose one-line
 * message names the file, the offset of the bad structure and the problem; never an
 * {@code IndexOutOfBoundsException}. Supports extended numbering (e_shnum/e_shstrndx/e_phnum
 * overflowing into section header 0).
 *
 * <p>Immutable and thread-safe. The bytes are a read-only {@link MemorySegment}: files up to 2 GiB
 * are read onto the heap, larger ones mapped.
 */
public final class ElfFile {
    /** e_type values. */
    public static final int ET_NONE = 0, ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
    /** e_machine values. */
    public static final int EM_386 = 3, EM_X86_64 = 62, EM_AARCH64 = 183, EM_RISCV = 243;

    static final int EHDR_SIZE = 64, SHDR_SIZE = 64, PHDR_SIZE = 56;
    /** Upper bound on table entries (real files have well under 2^16 unless extended numbering is used). */
    private static final long MAX_ENTRIES = 1 << 24;
    private static final int SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_XINDEX = 0xffff, PN_XNUM = 0xffff;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String source;
    private final MemorySegment data;
    private final int type, machine, osAbi, flags;
    private final long entry;
    private final List<ElfSection> sections;
    private final List<ElfSegment> segments;

    private ElfFile(String source, MemorySegment data, int type, int machine, int osAbi, int flags, long entry,
                    List<ElfSection> sections, List<ElfSegment> segments) {
        this.source = source;
        this.data = data;
        this.type = type;
        this.machine = machine;
        this.osAbi = osAbi;
        this.flags = flags;
        this.entry = entry;
        this.sections = sections;
        this.segments = segments;
    }

    // ---- reading

    /**
     * Reads and parses the file at {@code path}.
     *
     * @throws ElfException when the file is not a well-formed ELF64 little-endian file
     * @throws IOException  when it cannot be read (missing, a directory, no permission)
     */
    public static ElfFile read(Path path) throws IOException {
        String source = path.toString();
        long size = Files.size(path);
        MemorySegment data;
        if (size <= Integer.MAX_VALUE - 8) {
            data = MemorySegment.ofArray(Files.readAllBytes(path));
        } else {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), Arena.ofAuto());
            }
        }
        return parse(source, data);
    }

    /** Parses an ELF image held in {@code bytes}; {@code source} names it in messages. */
    public static ElfFile parse(String source, byte[] bytes) throws ElfException {
        return parse(source, MemorySegment.ofArray(bytes));
    }

    /** Parses an ELF image held in {@code data}; {@code source} names it in messages. */
    public static ElfFile parse(String source, MemorySegment data) throws ElfException {
        return new Parser(source, data.asReadOnly()).parse();
    }

    // ---- accessors

    /** The file name (or other description) given when reading. */
    public String source() { return source; }

    /** File size in bytes. */
    public long size() { return data.byteSize(); }

    /** e_type: {@link #ET_EXEC}, {@link #ET_DYN}, ... */
    public int type() { return type; }

    /** e_machine: {@link #EM_X86_64}, ... */
    public int machine() { return machine; }

    /** EI_OSABI. */
    public int osAbi() { return osAbi; }

    /** e_flags. */
    public int flags() { return flags; }

    /** e_entry: the virtual address of the entry point (0 when none). */
    public long entry() { return entry; }

    /** The section headers in table order, including the null section 0 when present. */
    public List<ElfSection> sections() { return sections; }

    /** The program headers in table order. */
    public List<ElfSegment> segments() { return segments; }

    /** The first section named {@code name}. */
    public Optional<ElfSection> section(String name) {
        for (ElfSection s : sections) if (s.name().equals(name)) return Optional.of(s);
        return Optional.empty();
    }

    /** The whole file, read-only. */
    public MemorySegment data() { return data; }

    /** The file bytes of section {@code s} (empty for SHT_NOBITS), read-only. */
    public MemorySegment contents(ElfSection s) {
        return s.hasFileContents() ? data.asSlice(s.offset(), s.size()) : MemorySegment.ofArray(new byte[0]);
    }

    /** The file bytes of segment {@code p} ({@code p_filesz} bytes from {@code p_offset}), read-only. */
    public MemorySegment contents(ElfSegment p) {
        // p_offset is unchecked when p_filesz is 0 (it may be anything then)
        return p.filesz() == 0 ? MemorySegment.ofArray(new byte[0]) : data.asSlice(p.offset(), p.filesz());
    }

    /** A copy of section {@code s}'s file bytes as an array. */
    public byte[] bytes(ElfSection s) throws ElfException {
        if (s.hasFileContents() && s.size() > Integer.MAX_VALUE - 8) {
            throw new ElfException(source, s.headerOffset(), "section " + s.displayName() + " is larger than 2 GiB ("
                    + hex(s.size()) + " bytes); cannot copy it into an array");
        }
        return contents(s).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Throws unless this is an x86-64 file (e_machine EM_X86_64). */
    public void requireX86_64() throws ElfException {
        if (machine != EM_X86_64) {
            throw new ElfException(source, 0x12, "not an x86-64 ELF file (e_machine " + machine + machineName(machine)
                    + ", expected 62 EM_X86_64)");
        }
    }

    private static String machineName(int m) {
        return switch (m) {
            case EM_386 -> " EM_386";
            case EM_AARCH64 -> " EM_AARCH64";
            case EM_RISCV -> " EM_RISCV";
            case 40 -> " EM_ARM";
            case 8 -> " EM_MIPS";
            case 21 -> " EM_PPC64";
            case 22 -> " EM_S390";
            default -> "";
        };
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    // ---- the parser: one pass, every read preceded by a bounds check

    private static final class Parser {
        private final String source;
        private final MemorySegment data;
        private final long size;

        Parser(String source, MemorySegment data) {
            this.source = source;
            this.data = data;
            this.size = data.byteSize();
        }

        private ElfException error(long offset, String problem) {
            return new ElfException(source, offset, problem);
        }

        private int u8(long off) { return data.get(ValueLayout.JAVA_BYTE, off) & 0xff; }

        private int u16(long off) { return data.get(U16, off) & 0xffff; }

        private int u32(long off) { return data.get(U32, off); }

        private long u64(long off) { return data.get(U64, off); }

        /** True when [offset, offset+length) lies inside the file; unsigned, overflow-safe. */
        private boolean inFile(long offset, long length) {
            return Long.compareUnsigned(offset, size) <= 0 && Long.compareUnsigned(length, size - offset) <= 0;
        }

        ElfFile parse() throws ElfException {
            // ---- e_ident (gABI 4, "ELF Identification")
            if (size < 4 || u8(0) != 0x7f || u8(1) != 'E' || u8(2) != 'L' || u8(3) != 'F') {
                throw error(-1, "not an ELF file (no \\x7fELF magic at offset 0)");
            }
            if (size < 16) throw error(-1, "truncated ELF identification: file is only " + size + " bytes");
            int cls = u8(4), enc = u8(5), ver = u8(6);
            if (cls == 1) throw error(4, "32-bit ELF (ELFCLASS32) is not supported; x86-64 needs ELFCLASS64");
            if (cls != 2) throw error(4, "invalid ELF class " + cls + " (expected 2, ELFCLASS64)");
            if (enc == 2) throw error(5, "big-endian ELF (ELFDATA2MSB) is not supported");
            if (enc != 1) throw error(5, "invalid ELF data encoding " + enc + " (expected 1, ELFDATA2LSB)");
            if (ver != 1) throw error(6, "unsupported ELF version " + ver + " (expected 1, EV_CURRENT)");
            if (size < EHDR_SIZE) {
                throw error(-1, "truncated ELF header: file is " + size + " bytes, the ELF64 header needs " + EHDR_SIZE);
            }
            // ---- the rest of the ELF header
            int osAbi = u8(7);
            int type = u16(0x10), machine = u16(0x12);
            long entry = u64(0x18), phoff = u64(0x20), shoff = u64(0x28);
            int flags = u32(0x30);
            int ehsize = u16(0x34), phentsize = u16(0x36), phnumField = u16(0x38);
            int shentsize = u16(0x3a), shnumField = u16(0x3c), shstrndxField = u16(0x3e);
            if (ehsize < EHDR_SIZE) throw error(0x34, "e_ehsize " + ehsize + " is smaller than the ELF64 header (64)");

            // ---- section header table; section 0 holds the overflow of e_shnum, e_shstrndx and e_phnum
            long shnum = shnumField;
            int shstrndx = shstrndxField;
            long phnum = phnumField;
            if (shoff == 0) {
                if (shnumField != 0) throw error(0x3c, "e_shnum is " + shnumField + " but e_shoff is 0");
                if (shstrndxField == SHN_XINDEX || phnumField == PN_XNUM) {
                    throw error(0x3c, "extended numbering (0xffff) needs section header 0, but e_shoff is 0");
                }
            } else {
                if (shentsize < SHDR_SIZE) {
                    throw error(0x3a, "e_shentsize " + shentsize + " is smaller than an ELF64 section header (64)");
                }
                if (!inFile(shoff, SHDR_SIZE)) {
                    throw error(0x28, "e_shoff " + hex(shoff) + " points past the end of the file (" + hex(size) + " bytes)");
                }
                if (shnumField == 0) {
                    shnum = u64(shoff + 0x20); // sh_size of section 0
                    if (shnum == 0) throw error(shoff, "e_shnum is 0 and section header 0 gives no count (sh_size 0)");
                }
                if (shstrndxField == SHN_XINDEX) shstrndx = u32(shoff + 0x28); // sh_link of section 0
                if (phnumField == PN_XNUM) phnum = u32(shoff + 0x2c) & 0xffffffffL; // sh_info of section 0
                if (Long.compareUnsigned(shnum, MAX_ENTRIES) > 0) {
                    throw error(shoff + 0x20, "section count " + Long.toUnsignedString(shnum) + " is implausibly large");
                }
                // shentsize <= 0xffff and shnum <= 2^64: check count before multiplying
                if (Long.compareUnsigned(shnum, size / shentsize) > 0 || !inFile(shoff, shnum * shentsize)) {
                    throw error(0x28, "section header table (" + Long.toUnsignedString(shnum) + " entries of " + shentsize
                            + " bytes at " + hex(shoff) + ") extends past the end of the file (" + hex(size) + " bytes)");
                }
            }
            List<ElfSection> sections = readSections(shoff, (int) shnum, shentsize, shstrndx, shstrndxField == SHN_XINDEX);

            // ---- program header table
            List<ElfSegment> segments = List.of();
            if (phnum != 0) {
                if (phnum > MAX_ENTRIES) {
                    throw error(shoff + 0x2c, "program header count " + phnum + " is implausibly large");
                }
                if (phentsize < PHDR_SIZE) {
                    throw error(0x36, "e_phentsize " + phentsize + " is smaller than an ELF64 program header (56)");
                }
                if (Long.compareUnsigned(phnum, size / phentsize) > 0 || !inFile(phoff, phnum * phentsize)) {
                    throw error(0x20, "program header table (" + phnum + " entries of " + phentsize + " bytes at "
                            + hex(phoff) + ") extends past the end of the file (" + hex(size) + " bytes)");
                }
                segments = readSegments(phoff, (int) phnum, phentsize);
            }
            return new ElfFile(source, data, type, machine, osAbi, flags, entry, sections, segments);
        }

        private List<ElfSection> readSections(long shoff, int shnum, int shentsize, int shstrndx, boolean extendedStrndx)
                throws ElfException {
            if (shnum == 0) return List.of();
            long[] nameOff = new long[shnum];
            List<ElfSection> raw = new ArrayList<>(shnum);
            for (int i = 0; i < shnum; i++) {
                long h = shoff + (long) i * shentsize;
                nameOff[i] = u32(h) & 0xffffffffL;
                int stype = u32(h + 4);
                long sflags = u64(h + 8), addr = u64(h + 0x10), off = u64(h + 0x18), sz = u64(h + 0x20);
                int link = u32(h + 0x28), info = u32(h + 0x2c);
                long align = u64(h + 0x30), entsize = u64(h + 0x38);
                ElfSection s = new ElfSection(i, "", stype, sflags, addr, off, sz, link, info, align, entsize, h);
                if (s.hasFileContents() && !inFile(off, sz)) {
                    throw error(h, "section header " + i + ": contents [" + hex(off) + ", " + hex(off + sz)
                            + ") extend past the end of the file (" + hex(size) + " bytes)");
                }
                if (align > 1 && Long.bitCount(align) != 1) {
                    throw error(h + 0x30, "section header " + i + ": sh_addralign " + hex(align) + " is not a power of two");
                }
                raw.add(s);
            }
            if (shstrndx == SHN_UNDEF) return Collections.unmodifiableList(raw);
            if (Integer.compareUnsigned(shstrndx, shnum) >= 0 || (!extendedStrndx && shstrndx >= SHN_LORESERVE)) {
                throw error(0x3e, "e_shstrndx " + Integer.toUnsignedString(shstrndx) + " is not a section index (the file has "
                        + shnum + " sections)");
            }
            ElfSection strtab = raw.get(shstrndx);
            if (strtab.type() != ElfSection.SHT_STRTAB) {
                throw error(strtab.headerOffset(), "section header string table (section " + shstrndx
                        + ") has type " + strtab.type() + ", expected 3 (SHT_STRTAB)");
            }
            List<ElfSection> named = new ArrayList<>(shnum);
            for (int i = 0; i < shnum; i++) {
                ElfSection s = raw.get(i);
                String name = string(strtab, nameOff[i], s.headerOffset(), "section header " + i + ": sh_name");
                named.add(new ElfSection(i, name, s.type(), s.flags(), s.addr(), s.offset(), s.size(), s.link(), s.info(),
                        s.addralign(), s.entsize(), s.headerOffset()));
            }
            return Collections.unmodifiableList(named);
        }

        /** The NUL-terminated string at {@code index} in string table {@code strtab}. */
        private String string(ElfSection strtab, long index, long where, String what) throws ElfException {
            long len = strtab.hasFileContents() ? strtab.size() : 0;
            if (Long.compareUnsigned(index, len) >= 0) {
                if (index == 0) return "";
                throw error(where, what + " " + hex(index) + " is outside the string table (" + hex(len) + " bytes)");
            }
            long start = strtab.offset() + index, end = strtab.offset() + len;
            for (long p = start; p < end; p++) {
                if (data.get(ValueLayout.JAVA_BYTE, p) == 0) {
                    byte[] b = data.asSlice(start, p - start).toArray(ValueLayout.JAVA_BYTE);
                    return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
                }
            }
            throw error(where, what + " " + hex(index) + ": string is not NUL-terminated inside the string table");
        }

        private List<ElfSegment> readSegments(long phoff, int phnum, int phentsize) throws ElfException {
            List<ElfSegment> out = new ArrayList<>(phnum);
            for (int i = 0; i < phnum; i++) {
                long h = phoff + (long) i * phentsize;
                int ptype = u32(h), pflags = u32(h + 4);
                long off = u64(h + 8), vaddr = u64(h + 0x10), paddr = u64(h + 0x18);
                long filesz = u64(h + 0x20), memsz = u64(h + 0x28), align = u64(h + 0x30);
                String what = "program header " + i;
                if (filesz != 0 && !inFile(off, filesz)) {
                    throw error(h, what + ": file bytes [" + hex(off) + ", " + hex(off + filesz)
                            + ") extend past the end of the file (" + hex(size) + " bytes)");
                }
                if (ptype == ElfSegment.PT_LOAD) {
                    if (Long.compareUnsigned(filesz, memsz) > 0) {
                        throw error(h, what + ": p_filesz " + hex(filesz) + " is larger than p_memsz " + hex(memsz));
                    }
                    if (Long.compareUnsigned(memsz, -vaddr) > 0 && vaddr != 0) {
                        throw error(h, what + ": [" + hex(vaddr) + " + " + hex(memsz) + ") wraps around the address space");
                    }
                    if (align > 1) {
                        if (Long.bitCount(align) != 1) {
                            throw error(h + 0x30, what + ": p_align " + hex(align) + " is not a power of two");
                        }
                        if (((vaddr - off) & (align - 1)) != 0) {
                            throw error(h, what + ": p_vaddr " + hex(vaddr) + " and p_offset " + hex(off)
                                    + " are not congruent modulo p_align " + hex(align));
                        }
                    }
                }
                out.add(new ElfSegment(i, ptype, pflags, off, vaddr, paddr, filesz, memsz, align, h));
            }
            return Collections.unmodifiableList(out);
        }
    }
}
