package org.jvmx.linux;

/**
 * One virtual memory area: a page-aligned range with one protection and one backing. Pages
 * are filled on first touch: from the file ({@code file}, at {@code fileOffset} for the
 * range's first byte, at most {@code fileBytes} bytes counted from {@code start}; beyond them
 * zeros, as the tail of an ELF segment's last file page and its bss), or with zeros.
 */
final class Vma {
    static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
            MAP_GROWSDOWN = 0x100, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000, MAP_STACK = 0x20000,
            MAP_FIXED_NOREPLACE = 0x100000;

    long start, end;
    int prot;
    final int flags;
    final MappableFile file;
    long fileOffset;
    long fileBytes;
    /** What /proc/self/maps would show in the last column ("[heap]", "[stack]", a path), or null. */
    final String name;

    Vma(long start, long end, int prot, int flags, MappableFile file, long fileOffset, long fileBytes, String name) {
        this.start = start;
        this.end = end;
        this.prot = prot;
        this.flags = flags;
        this.file = file;
        this.fileOffset = fileOffset;
        this.fileBytes = fileBytes;
        this.name = name;
    }

    /** The part [{@code from}, {@code to}) of this area as an area of its own (same backing, offsets moved). */
    Vma slice(long from, long to) {
        long skip = from - start;
        return new Vma(from, to, prot, flags, file, fileOffset + skip, Math.max(0, fileBytes - skip), name);
    }

    boolean shared() {
        return (flags & MAP_SHARED) != 0;
    }

    boolean allows(boolean write, boolean exec) {
        if (write) return (prot & PROT_WRITE) != 0;
        if (exec) return (prot & PROT_EXEC) != 0;
        return (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) != 0; // x86 pages are readable when mapped at all
    }

    @Override
    public String toString() {
        return String.format("%x-%x %c%c%c%c %s", start, end, (prot & 1) != 0 ? 'r' : '-', (prot & 2) != 0 ? 'w' : '-',
                (prot & 4) != 0 ? 'x' : '-', shared() ? 's' : 'p', name == null ? "" : name);
    }
}
