package org.jvmx.monitor.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IoBusTest {

    /** Byte registers that remember writes and read back port-tagged values. */
    static final class Regs implements ByteRegisterDevice {
        final List<String> log = new ArrayList<>();

        @Override
        public int readByte(int port) {
            log.add("r%x".formatted(port));
            return port & 0xFF;
        }

        @Override
        public void writeByte(int port, int value) {
            log.add("w%x=%x".formatted(port, value));
        }
    }

    /** A device taking wide accesses whole. */
    static final class Wide implements IoDevice {
        final List<String> log = new ArrayList<>();

        @Override
        public long read(int port, int size) {
            log.add("r%x/%d".formatted(port, size));
            return 0x1122334455667788L;
        }

        @Override
        public void write(int port, int size, long value) {
            log.add("w%x/%d=%x".formatted(port, size, value));
        }
    }

    @Test
    void unclaimedPortsReadAllOnesAndAreCounted() {
        IoBus bus = new IoBus();
        assertEquals(0xFFL, bus.read(0x3E8, 1));
        assertEquals(0xFFFFL, bus.read(0x3E8, 2));
        assertEquals(0xFFFF_FFFFL, bus.read(0x3E8, 4));
        bus.write(0x3E8, 1, 0x55);
        bus.write(0xCF8, 4, 0x8000_0000L);
        // Each unclaimed byte of a split access counts at its own port.
        assertEquals(3, bus.unknownReads(0x3E8));
        assertEquals(2, bus.unknownReads(0x3E9));
        assertEquals(1, bus.unknownReads(0x3EB));
        assertEquals(1, bus.unknownWrites(0x3E8));
        assertEquals(1, bus.unknownWrites(0xCFB));
        Map<Integer, Long> counts = bus.unknownPortCounts();
        assertEquals(4L, counts.get(0x3E8));
        assertEquals(List.of(0x3E8, 0x3E9, 0x3EA, 0x3EB, 0xCF8, 0xCF9, 0xCFA, 0xCFB), List.copyOf(counts.keySet()));
    }

    @Test
    void wholeAccessGoesToOneDevice() {
        IoBus bus = new IoBus();
        Wide w = new Wide();
        bus.register(0xB000, 4, w);
        assertEquals(0x55667788L, bus.read(0xB000, 4));
        assertEquals(0x7788L, bus.read(0xB002, 2));
        bus.write(0xB000, 4, 0xFFFF_FFFF_DEAD_BEEFL);
        assertEquals(List.of("rb000/4", "rb002/2", "wb000/4=deadbeef"), w.log);
        assertSame(w, bus.deviceAt(0xB003));
        assertNull(bus.deviceAt(0xB004));
    }

    @Test
    void accessSpanningDevicesIsSplitByteWise() {
        IoBus bus = new IoBus();
        Wide w = new Wide();
        Regs r = new Regs();
        bus.register(0x100, 2, w);
        bus.register(0x102, 1, r);
        // 0x101 from the wide device (byte 0x88), 0x102 from the registers, 0x103 and 0x104 unclaimed.
        assertEquals(0xFFFF_0288L, bus.read(0x101, 4));
        assertEquals(List.of("r101/1"), w.log);
        assertEquals(List.of("r102"), r.log);
        bus.write(0x0FF, 4, 0x44332211L);
        assertEquals(List.of("r101/1", "w100/1=22", "w101/1=33"), w.log);
        assertEquals(List.of("r102", "w102=44"), r.log);
        assertEquals(1, bus.unknownWrites(0x0FF));
    }

    @Test
    void wideAccessToByteRegistersHitsConsecutivePorts() {
        IoBus bus = new IoBus();
        Regs r = new Regs();
        bus.register(0x40, 4, r);
        assertEquals(0x43424140L, bus.read(0x40, 4));
        bus.write(0x41, 2, 0xBBAA);
        assertEquals(List.of("r40", "r41", "r42", "r43", "w41=aa", "w42=bb"), r.log);
    }

    @Test
    void portSpaceWrapsAtTheTop() {
        IoBus bus = new IoBus();
        Regs r = new Regs();
        bus.register(0x0000, 1, r);
        assertEquals(0x00FFL, bus.read(0xFFFF, 2));
        assertEquals(1, bus.unknownReads(0xFFFF));
    }

    @Test
    void overlappingOrInvalidRegistrationsAreRejected() {
        IoBus bus = new IoBus();
        bus.register(0x60, 1, new Regs());
        assertThrows(IllegalStateException.class, () -> bus.register(0x5F, 2, new Regs()));
        assertThrows(IllegalArgumentException.class, () -> bus.register(0xFFFF, 2, new Regs()));
        assertThrows(IllegalArgumentException.class, () -> bus.read(0x60, 3));
        // A failed registration claims nothing.
        bus.register(0x5F, 1, new Regs());
    }
}
