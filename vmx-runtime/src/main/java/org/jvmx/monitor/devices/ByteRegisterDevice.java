package org.jvmx.monitor.devices;

/**
 * A device whose registers are all one byte wide, as on every 8-bit ISA peripheral (8259A, 8254, 16550, MC146818,
 * 8042). A wider access is split, as the ISA bus does it for an 8-bit card, into byte accesses at consecutive
 * ports, lowest address first (little-endian assembly of the result).
 */
public interface ByteRegisterDevice extends IoDevice {

    int readByte(int port);

    void writeByte(int port, int value);

    @Override
    default long read(int port, int size) {
        long v = 0;
        for (int k = 0; k < size; k++) {
            v |= (long) (readByte((port + k) & 0xFFFF) & 0xFF) << (8 * k);
        }
        return v;
    }

    @Override
    default void write(int port, int size, long value) {
        for (int k = 0; k < size; k++) {
            writeByte((port + k) & 0xFFFF, (int) (value >>> (8 * k)) & 0xFF);
        }
    }
}
