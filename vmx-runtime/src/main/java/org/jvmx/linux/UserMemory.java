package org.jvmx.linux;

import java.nio.charset.StandardCharsets;

/**
 * The process's virtual memory as a system call reads and writes it (the monitor's
 * copy_from_user/copy_to_user): user addresses, the user's page permissions; a range that is
 * not mapped (or not writable, for writes) throws {@link LinuxError} with {@link Errno#EFAULT}.
 * Implementations may fault pages in on demand, as the process's own access would.
 */
public interface UserMemory {
    void read(long va, byte[] dst, int off, int len);

    void write(long va, byte[] src, int off, int len);

    default byte[] read(long va, int len) {
        byte[] b = new byte[len];
        read(va, b, 0, len);
        return b;
    }

    default void write(long va, byte[] src) {
        write(va, src, 0, src.length);
    }

    default long readLong(long va) {
        byte[] b = read(va, 8);
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    default int readInt(long va) {
        byte[] b = read(va, 4);
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    }

    default void writeLong(long va, long v) {
        write(va, java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    default void writeInt(long va, int v) {
        write(va, java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    /**
     * The NUL-terminated string at {@code va} (bytes as UTF-8), at most {@code max} bytes
     * before the NUL ({@link Errno#ENAMETOOLONG} beyond), read page by page so that a string
     * ending just before an unmapped page is fine.
     */
    default String readCString(long va, int max) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long p = va;
        while (true) {
            int chunk = (int) Math.min(4096 - (p & 0xFFF), max + 1 - out.size());
            byte[] b = read(p, chunk);
            for (int i = 0; i < chunk; i++) {
                if (b[i] == 0) {
                    out.write(b, 0, i);
                    return out.toString(StandardCharsets.UTF_8);
                }
            }
            out.write(b, 0, chunk);
            if (out.size() > max) throw new LinuxError(Errno.ENAMETOOLONG);
            p += chunk;
        }
    }
}
