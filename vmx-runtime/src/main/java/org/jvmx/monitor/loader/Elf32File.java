package org.jvmx.monitor.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The parts of an ELF32 little-endian file that a boot loader needs: the ELF header and the
 * program headers (System V ABI, gABI chapter 4 "ELF Header" and chapter 5 "Program Header";
 * i386 psABI). Multiboot kernels without the a.out kludge are such files.
 *
 * <p>Like {@link ElfFile}, it trusts nothing: every offset, size and count is checked against the
 * file size before use (32-bit fields are widened to {@code long}, so sums cannot overflow) and a
 * malformed file gives an {@link ElfException} with a one-line message naming the file and the
 * offset of the bad structure. Section headers are not read: loading does not need them.
 * Program headers are returned as {@link ElfSegment}s with the 32-bit fields zero-extended.
 */
public final class Elf32File {
    static final int EHDR_SIZE = 52, PHDR_SIZE = 32;
    private static final int PN_XNUM = 0xffff;

    private final String source;
    private final byte[] data;
    private final int type, machine, flags;
    private final long entry;
    private final List<ElfSegment> segments;

    private Elf32File(String source, byte[] data, int type, int machine, int flags, long entry, List<ElfSegment> segments) {
        this.source = source;
        this.data = data;
        this.type = type;
        this.machine = machine;
        this.flags = flags;
        this.entry = entry;
        this.segments = segments;
    }

    /** True when {@code bytes} start with the ELF magic and say ELFCLASS32. */
    public static boolean isElf32(byte[] bytes) {
        return bytes.length > 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F' && bytes[4] == 1;
    }

    /** Parses an ELF32 image held in {@code bytes} (not copied: do not modify it afterwards). */
    public static Elf32File parse(String source, byte[] bytes) throws ElfException {
        return new Parser(source, bytes).parse();
    }

    public String source() { return source; }

    public long size() { return data.length; }

    /** e_type: {@link ElfFile#ET_EXEC}, ... */
    public int type() { return type; }

    /** e_machine: {@link ElfFile#EM_386}, ... */
    public int machine() { return machine; }

    public int flags() { return flags; }

    /** e_entry, zero-extended. */
    public long entry() { return entry; }

    /** The program headers in table order. */
    public List<ElfSegment> segments() { return segments; }

    /** Copies the file bytes of segment {@code p} into {@code dst} at {@code dstOffset}. */
    public void copyContents(ElfSegment p, byte[] dst, int dstOffset) {
        if (p.filesz() == 0) return; // p_offset is unchecked then: it may be anything
        System.arraycopy(data, (int) p.offset(), dst, dstOffset, (int) p.filesz());
    }

    /** A copy of the file bytes of segment {@code p} ({@code p_filesz} bytes from {@code p_offset}). */
    public byte[] contents(ElfSegment p) {
        byte[] b = new byte[(int) p.filesz()];
        copyContents(p, b, 0);
        return b;
    }

    /** Throws unless this is an i386 executable (EM_386, ET_EXEC), as a Multiboot kernel must be. */
    public void requireI386Executable() throws ElfException {
        if (machine != ElfFile.EM_386) {
            throw new ElfException(source, 0x12, "not an i386 ELF file (e_machine " + machine + ", expected 3 EM_386)");
        }
        if (type != ElfFile.ET_EXEC) {
            throw new ElfException(source, 0x10, "not an executable (e_type " + type + ", expected 2 ET_EXEC)");
        }
    }

    private static final class Parser {
        private final String source;
        private final byte[] bytes;
        private final ByteBuffer b;
        private final long size;

        Parser(String source, byte[] bytes) {
            this.source = source;
            this.bytes = bytes;
            this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            this.size = bytes.length;
        }

        private ElfException error(long offset, String problem) {
            return new ElfException(source, offset, problem);
        }

        private int u8(int off) { return b.get(off) & 0xff; }

        private int u16(long off) { return b.getShort((int) off) & 0xffff; }

        private long u32(long off) { return b.getInt((int) off) & 0xffffffffL; }

        /** [offset, offset+length) inside the file; both are below 2^33, so the sum cannot overflow. */
        private boolean inFile(long offset, long length) {
            return offset <= size && length <= size - offset;
        }

        Elf32File parse() throws ElfException {
            // e_ident (gABI 4, "ELF Identification")
            if (size < 4 || u8(0) != 0x7f || u8(1) != 'E' || u8(2) != 'L' || u8(3) != 'F') {
                throw error(-1, "not an ELF file (no \\x7fELF magic at offset 0)");
            }
            if (size < 16) throw error(-1, "truncated ELF identification: file is only " + size + " bytes");
            int cls = u8(4), enc = u8(5), ver = u8(6);
            if (cls == 2) throw error(4, "64-bit ELF (ELFCLASS64) where a 32-bit (ELFCLASS32) file is needed");
            if (cls != 1) throw error(4, "invalid ELF class " + cls + " (expected 1, ELFCLASS32)");
            if (enc == 2) throw error(5, "big-endian ELF (ELFDATA2MSB) is not supported");
            if (enc != 1) throw error(5, "invalid ELF data encoding " + enc + " (expected 1, ELFDATA2LSB)");
            if (ver != 1) throw error(6, "unsupported ELF version " + ver + " (expected 1, EV_CURRENT)");
            if (size < EHDR_SIZE) {
                throw error(-1, "truncated ELF header: file is " + size + " bytes, the ELF32 header needs " + EHDR_SIZE);
            }
            int type = u16(0x10), machine = u16(0x12);
            long entry = u32(0x18), phoff = u32(0x1c);
            int flags = (int) u32(0x24);
            int ehsize = u16(0x28), phentsize = u16(0x2a), phnum = u16(0x2c);
            if (ehsize < EHDR_SIZE) throw error(0x28, "e_ehsize " + ehsize + " is smaller than the ELF32 header (52)");
            if (phnum == PN_XNUM) throw error(0x2c, "extended program header numbering (e_phnum 0xffff) is not supported");
            List<ElfSegment> segments = List.of();
            if (phnum != 0) {
                if (phentsize < PHDR_SIZE) {
                    throw error(0x2a, "e_phentsize " + phentsize + " is smaller than an ELF32 program header (32)");
                }
                if (!inFile(phoff, (long) phnum * phentsize)) {
                    throw error(0x1c, "program header table (" + phnum + " entries of " + phentsize + " bytes at "
                            + LoaderException.hex(phoff) + ") extends past the end of the file ("
                            + LoaderException.hex(size) + " bytes)");
                }
                segments = readSegments(phoff, phnum, phentsize);
            }
            return new Elf32File(source, bytes, type, machine, flags, entry, segments);
        }

        private List<ElfSegment> readSegments(long phoff, int phnum, int phentsize) throws ElfException {
            List<ElfSegment> out = new ArrayList<>(phnum);
            for (int i = 0; i < phnum; i++) {
                long h = phoff + (long) i * phentsize;
                int ptype = (int) u32(h);
                long off = u32(h + 4), vaddr = u32(h + 8), paddr = u32(h + 12);
                long filesz = u32(h + 16), memsz = u32(h + 20), align = u32(h + 28);
                int pflags = (int) u32(h + 24);
                String what = "program header " + i;
                if (filesz != 0 && !inFile(off, filesz)) {
                    throw error(h, what + ": file bytes " + LoaderException.range(off, off + filesz)
                            + " extend past the end of the file (" + LoaderException.hex(size) + " bytes)");
                }
                if (ptype == ElfSegment.PT_LOAD) {
                    if (filesz > memsz) {
                        throw error(h, what + ": p_filesz " + LoaderException.hex(filesz) + " is larger than p_memsz "
                                + LoaderException.hex(memsz));
                    }
                    if (vaddr + memsz > 1L << 32 || paddr + memsz > 1L << 32) {
                        throw error(h, what + ": " + LoaderException.range(paddr, paddr + memsz)
                                + " wraps around the 32-bit address space");
                    }
                    if (align > 1 && Long.bitCount(align) != 1) {
                        throw error(h + 28, what + ": p_align " + LoaderException.hex(align) + " is not a power of two");
                    }
                }
                out.add(new ElfSegment(i, ptype, pflags, off, vaddr, paddr, filesz, memsz, align, h));
            }
            return Collections.unmodifiableList(out);
        }
    }
}
