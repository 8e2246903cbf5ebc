package org.jvmx.translator.mem;

/**
 * A device behind a guest-physical range. Accesses are 1, 2, 4 or 8 bytes, little-endian,
 * at {@code offset} bytes from the region base (physical address = base + offset).
 */
public interface MmioHandler {
    /** The value read, in the low {@code size} bytes. */
    long read(long offset, int size);

    /** {@code value}'s low {@code size} bytes are written. */
    void write(long offset, int size, long value);
}
