package org.jvmx.monitor.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Builds small synthetic kernel images for loader tests: a.out-kludge Multiboot, ELF32 and ELF64. */
final class BootImages {
    private BootImages() {
    }

    /** A Multiboot header: magic, flags, checksum, then {@code extra} 32-bit fields. */
    static byte[] multibootHeader(int flags, long... extra) {
        ByteBuffer b = le(12 + 4 * extra.length);
        b.putInt(MultibootHeader.MAGIC).putInt(flags).putInt(-(MultibootHeader.MAGIC + flags));
        for (long e : extra) b.putInt((int) e);
        return b.array();
    }

    /** A pattern that differs at every offset, so misplaced bytes show. */
    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (i * 7 + seed + (i >> 8));
        return b;
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * An a.out-kludge image: {@code fileSize} pattern bytes with a Multiboot header (flag 16 and
     * {@code extraFlags}) at {@code headerOffset}.
     */
    static byte[] aout(int fileSize, int headerOffset, int extraFlags, long headerAddr, long loadAddr, long loadEndAddr,
                       long bssEndAddr, long entryAddr) {
        byte[] img = pattern(fileSize, 3);
        byte[] h = multibootHeader(MultibootHeader.AOUT_KLUDGE | extraFlags, headerAddr, loadAddr, loadEndAddr, bssEndAddr,
                entryAddr);
        System.arraycopy(h, 0, img, headerOffset, h.length);
        return img;
    }

    /** One program header for {@link #elf32}/{@link #elf64}; the file bytes are appended by the builder. */
    record Seg(int type, long vaddr, long paddr, byte[] bytes, long memsz) {
        static Seg load(long addr, byte[] bytes, long memsz) {
            return new Seg(ElfSegment.PT_LOAD, addr, addr, bytes, memsz);
        }
    }

    static final int ELF32_HEADER_AT = 0x100;

    /**
     * An ELF32 i386 executable: ELF header, program headers at 0x34, a Multiboot header (flags
     * {@code mbFlags}) at {@link #ELF32_HEADER_AT} unless {@code mbFlags} is -1, then each segment's
     * bytes at 0x1000-aligned offsets congruent with its address.
     */
    static byte[] elf32(long entry, int mbFlags, Seg... segs) {
        List<Long> offsets = new ArrayList<>();
        long off = 0x1000;
        for (Seg s : segs) {
            off = (off + 0xfff) & ~0xfffL;
            off += s.vaddr & 0xfff;
            offsets.add(off);
            off += s.bytes.length;
        }
        ByteBuffer b = le((int) Math.max(off, 0x1000));
        b.put(0, new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0});
        b.putShort(0x10, (short) ElfFile.ET_EXEC).putShort(0x12, (short) ElfFile.EM_386).putInt(0x14, 1);
        b.putInt(0x18, (int) entry).putInt(0x1c, 0x34).putInt(0x20, 0).putInt(0x24, 0);
        b.putShort(0x28, (short) 52).putShort(0x2a, (short) 32).putShort(0x2c, (short) segs.length);
        b.putShort(0x2e, (short) 40).putShort(0x30, (short) 0).putShort(0x32, (short) 0);
        for (int i = 0; i < segs.length; i++) {
            Seg s = segs[i];
            int h = 0x34 + 32 * i;
            b.putInt(h, s.type).putInt(h + 4, offsets.get(i).intValue()).putInt(h + 8, (int) s.vaddr).putInt(h + 12, (int) s.paddr)
                    .putInt(h + 16, s.bytes.length).putInt(h + 20, (int) s.memsz).putInt(h + 24, 7).putInt(h + 28, 0x1000);
            b.put(offsets.get(i).intValue(), s.bytes);
        }
        if (mbFlags != -1) b.put(ELF32_HEADER_AT, multibootHeader(mbFlags));
        return b.array();
    }

    /** An ELF64 x86-64 executable laid out like {@link #elf32}, with no section headers. */
    static byte[] elf64(long entry, int mbFlags, Seg... segs) {
        List<Long> offsets = new ArrayList<>();
        long off = 0x1000;
        for (Seg s : segs) {
            off = (off + 0xfff) & ~0xfffL;
            off += s.vaddr & 0xfff;
            offsets.add(off);
            off += s.bytes.length;
        }
        ByteBuffer b = le((int) Math.max(off, 0x1000));
        b.put(0, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(0x10, (short) ElfFile.ET_EXEC).putShort(0x12, (short) ElfFile.EM_X86_64).putInt(0x14, 1);
        b.putLong(0x18, entry).putLong(0x20, 0x40).putLong(0x28, 0);
        b.putShort(0x34, (short) 64).putShort(0x36, (short) 56).putShort(0x38, (short) segs.length);
        for (int i = 0; i < segs.length; i++) {
            Seg s = segs[i];
            int h = 0x40 + 56 * i;
            b.putInt(h, s.type).putInt(h + 4, 7).putLong(h + 8, offsets.get(i)).putLong(h + 0x10, s.vaddr)
                    .putLong(h + 0x18, s.paddr).putLong(h + 0x20, s.bytes.length).putLong(h + 0x28, s.memsz)
                    .putLong(h + 0x30, 0x1000);
            b.put(offsets.get(i).intValue(), s.bytes);
        }
        if (mbFlags != -1) b.put(0x800, multibootHeader(mbFlags));
        return b.array();
    }
}
