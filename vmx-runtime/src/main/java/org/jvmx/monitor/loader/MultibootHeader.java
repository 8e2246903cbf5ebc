package org.jvmx.monitor.loader;

import static org.jvmx.monitor.loader.LoaderException.hex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Multiboot header of an OS image (Multiboot Specification 0.6.96, 3.1 "OS image format"):
 * magic 0x1BADB002, flags and checksum, then the a.out-kludge address fields (valid when flag 16
 * is set) and the video-mode fields (valid when flag 2 is set).
 *
 * @param offset file offset of the header (32-bit aligned, within the first 8192 bytes)
 */
public record MultibootHeader(long offset, int flags, long headerAddr, long loadAddr, long loadEndAddr,
                              long bssEndAddr, long entryAddr, int modeType, int width, int height, int depth) {

    public static final int MAGIC = 0x1BADB002;
    /** The header must lie completely within the first 8192 bytes of the image (3.1.1). */
    public static final int SEARCH_LIMIT = 8192;
    /** Flag 0: modules must be loaded on 4 KiB boundaries. */
    public static final int PAGE_ALIGN = 1;
    /** Flag 1: mem_* (and mmap_*, when available) must be passed in the information structure. */
    public static final int MEMORY_INFO = 1 << 1;
    /** Flag 2: a video mode table must be passed and the mode fields are valid. */
    public static final int VIDEO_MODE = 1 << 2;
    /** Flag 16: the address fields at offsets 12-28 are valid (the "a.out kludge"). */
    public static final int AOUT_KLUDGE = 1 << 16;
    /**
     * Bits 0-15 are requirements: a boot loader that does not understand one must refuse the image
     * (3.1.2). jvmx understands 0 and 1, and accepts 2 but ignores the request: it has no video
     * BIOS, so it boots in whatever text mode the devices give and reports no VBE or framebuffer
     * information (info flags 11 and 12 stay clear), which the specification allows.
     */
    public static final int KNOWN_REQUIRED = PAGE_ALIGN | MEMORY_INFO | VIDEO_MODE;

    public boolean aoutKludge() {
        return (flags & AOUT_KLUDGE) != 0;
    }

    /** True when the magic occurs 32-bit aligned in the first 8192 bytes (checksum and flags unchecked). */
    public static boolean present(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off + 12 <= Math.min(image.length, SEARCH_LIMIT); off += 4) if (b.getInt(off) == MAGIC) return true;
        return false;
    }

    /**
     * Finds the header in {@code image}: the first 32-bit-aligned magic in the first 8192 bytes
     * whose checksum (magic + flags + checksum == 0 mod 2^32) holds. Checks the required flags.
     */
    public static MultibootHeader find(String source, byte[] image) throws LoaderException {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int limit = Math.min(image.length, SEARCH_LIMIT);
        long badChecksumAt = -1;
        int badSum = 0;
        for (int off = 0; off + 12 <= limit; off += 4) {
            if (b.getInt(off) != MAGIC) continue;
            int flags = b.getInt(off + 4), sum = MAGIC + flags + b.getInt(off + 8);
            if (sum != 0) {
                if (badChecksumAt < 0) {
                    badChecksumAt = off;
                    badSum = sum;
                }
                continue;
            }
            return decode(source, b, off, flags, limit);
        }
        if (badChecksumAt >= 0) {
            throw new LoaderException(source, "Multiboot header at offset " + hex(badChecksumAt)
                    + ": bad checksum (magic + flags + checksum = " + hex(badSum & 0xffffffffL) + ", must be 0)");
        }
        throw new LoaderException(source, "no Multiboot header (magic 0x1badb002) in the first "
                + Math.min(image.length, SEARCH_LIMIT) + " bytes");
    }

    private static MultibootHeader decode(String source, ByteBuffer b, int off, int flags, int limit) throws LoaderException {
        int unknown = flags & 0xffff & ~KNOWN_REQUIRED;
        if (unknown != 0) {
            throw new LoaderException(source, "Multiboot header at offset " + hex(off) + ": unsupported required flag"
                    + (Integer.bitCount(unknown) > 1 ? "s " : " ") + bitList(unknown) + " (flags " + hex(flags & 0xffffffffL) + ")");
        }
        boolean aout = (flags & AOUT_KLUDGE) != 0, video = (flags & VIDEO_MODE) != 0;
        int need = video ? 48 : aout ? 32 : 12;
        if (off + need > limit) {
            throw new LoaderException(source, "Multiboot header at offset " + hex(off) + " is truncated: flags "
                    + hex(flags & 0xffffffffL) + " need " + need + " bytes, but the "
                    + (limit < SEARCH_LIMIT ? "file ends" : "8192-byte search area ends") + " after " + (limit - off));
        }
        long[] a = new long[5];
        if (aout) for (int k = 0; k < 5; k++) a[k] = b.getInt(off + 12 + 4 * k) & 0xffffffffL;
        int[] v = new int[4];
        if (video) for (int k = 0; k < 4; k++) v[k] = b.getInt(off + 32 + 4 * k);
        return new MultibootHeader(off, flags, a[0], a[1], a[2], a[3], a[4], v[0], v[1], v[2], v[3]);
    }

    private static String bitList(int bits) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            if ((bits & 1 << i) == 0) continue;
            if (!s.isEmpty()) s.append(", ");
            s.append(i);
        }
        return s.toString();
    }
}
