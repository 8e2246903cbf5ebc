package org.jvmx.monitor.devices;

/**
 * A device model behind x86 port I/O (IN/OUT, INS/OUTS). The monitor calls it from the I/O-instruction VM exit
 * (exit reason 30, Intel SDM Vol. 3C 28.2.1, Table 28-5): {@code port} is the absolute port number, {@code size}
 * the access width in bytes (1, 2 or 4). Only the low {@code 8 * size} bits of a read result are used.
 *
 * <p>Implementations are called from any vCPU thread and must be thread-safe (the device models here
 * synchronize on themselves).
 */
public interface IoDevice {

    long read(int port, int size);

    void write(int port, int size, long value);

    /** All ones of {@code size} bytes: what an undriven ISA data bus reads as (pull-ups). */
    static long allOnes(int size) {
        return size >= 8 ? -1L : (1L << (8 * size)) - 1;
    }
}
