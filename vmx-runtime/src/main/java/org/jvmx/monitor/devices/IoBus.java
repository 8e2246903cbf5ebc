package org.jvmx.monitor.devices;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The 64 KiB x86 I/O port space (Intel SDM Vol. 1, 19.2 "I/O Address Space"). Devices claim port ranges; an access
 * is dispatched to the device that owns all of its bytes. An access whose bytes belong to different owners is split
 * byte-wise, as the bus does for an access that spans cards. A byte no device claims reads as all ones (the undriven
 * bus floats high) and a write to it is dropped; both are counted per port so that a guest probing hardware jvmx
 * lacks shows up in the statistics.
 *
 * <p>Registration happens while the machine is built; dispatch may then run concurrently from every vCPU.
 */
public final class IoBus {

    public static final int PORTS = 0x10000;

    private final IoDevice[] owner = new IoDevice[PORTS];
    private final AtomicLongArray unknownReads = new AtomicLongArray(PORTS);
    private final AtomicLongArray unknownWrites = new AtomicLongArray(PORTS);

    /** Claims ports {@code first .. first+count-1} for {@code device}; overlapping a claimed port is an error. */
    public synchronized IoBus register(int first, int count, IoDevice device) {
        if (first < 0 || count <= 0 || first + count > PORTS) {
            throw new IllegalArgumentException("port range 0x%x+%d outside the I/O space".formatted(first, count));
        }
        for (int p = first; p < first + count; p++) {
            if (owner[p] != null) {
                throw new IllegalStateException("port 0x%x already claimed by %s".formatted(p, owner[p]));
            }
        }
        for (int p = first; p < first + count; p++) {
            owner[p] = device;
        }
        return this;
    }

    /** The device owning {@code port}, or null. */
    public IoDevice deviceAt(int port) {
        return owner[port & 0xFFFF];
    }

    /** IN of {@code size} (1, 2 or 4) bytes at {@code port}: the value zero-extended. */
    public long read(int port, int size) {
        checkSize(size);
        port &= 0xFFFF;
        IoDevice d = wholeOwner(port, size);
        if (d != null) {
            return d.read(port, size) & IoDevice.allOnes(size);
        }
        long v = 0;
        for (int k = 0; k < size; k++) {
            int p = (port + k) & 0xFFFF;
            IoDevice b = owner[p];
            long byteValue;
            if (b != null) {
                byteValue = b.read(p, 1) & 0xFF;
            } else {
                unknownReads.incrementAndGet(p);
                byteValue = 0xFF;
            }
            v |= byteValue << (8 * k);
        }
        return v;
    }

    /** OUT of the low {@code size} bytes of {@code value} at {@code port}. */
    public void write(int port, int size, long value) {
        checkSize(size);
        port &= 0xFFFF;
        value &= IoDevice.allOnes(size);
        IoDevice d = wholeOwner(port, size);
        if (d != null) {
            d.write(port, size, value);
            return;
        }
        for (int k = 0; k < size; k++) {
            int p = (port + k) & 0xFFFF;
            IoDevice b = owner[p];
            if (b != null) {
                b.write(p, 1, (value >>> (8 * k)) & 0xFF);
            } else {
                unknownWrites.incrementAndGet(p);
            }
        }
    }

    /** Unclaimed ports the guest touched, with the number of accesses (reads plus writes), in port order. */
    public Map<Integer, Long> unknownPortCounts() {
        Map<Integer, Long> m = new TreeMap<>();
        for (int p = 0; p < PORTS; p++) {
            long n = unknownReads.get(p) + unknownWrites.get(p);
            if (n != 0) {
                m.put(p, n);
            }
        }
        return m;
    }

    public long unknownReads(int port) {
        return unknownReads.get(port & 0xFFFF);
    }

    public long unknownWrites(int port) {
        return unknownWrites.get(port & 0xFFFF);
    }

    /** The single device owning every byte of the access, or null (unclaimed bytes or several owners). */
    private IoDevice wholeOwner(int port, int size) {
        IoDevice d = owner[port];
        if (d == null) {
            return null;
        }
        for (int k = 1; k < size; k++) {
            if (owner[(port + k) & 0xFFFF] != d) {
                return null;
            }
        }
        return d;
    }

    private static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4) {
            throw new IllegalArgumentException("I/O access size " + size);
        }
    }
}
