package org.jvmx.translator.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exit regions in guest-physical memory: accesses with a port go to it, without one they hit nothing. */
class MmioExitRegionTest {
    /** Records what reaches it; reads answer 0x1122334455667788 masked by the caller. */
    static final class Recorder implements MmioExitPort {
        final List<String> log = new ArrayList<>();

        @Override
        public long read(long gpa, int size, long linear) {
            log.add(String.format("R %x %d %x", gpa, size, linear));
            return 0x1122_3344_5566_7788L;
        }

        @Override
        public void write(long gpa, int size, long value, long linear) {
            log.add(String.format("W %x %d %x %x", gpa, size, value, linear));
        }

        @Override
        public long compareAndExchange(long gpa, int size, long expected, long update, long linear) {
            log.add(String.format("C %x %d %x %x", gpa, size, expected, update));
            return expected;
        }

        @Override
        public long fetch(long gpa, int size, long linear) {
            log.add(String.format("F %x %d", gpa, size));
            return 0;
        }
    }

    @Test
    void accessesWithAPortReachIt() {
        try (PhysicalMemory m = new PhysicalMemory()) {
            m.addRam(0, 0x1000);
            m.addMmioExit(0x1000, 0x10);
            Recorder p = new Recorder();
            assertEquals(0x7788, m.read(0x1004, 2, 0xABC004, false, p));
            m.write(0x1008, 4, 0x1_2345_6789L, 0xABC008, p);
            assertEquals(5, m.compareAndExchange(0x1000, 1, 0x105, 6, 0xABC000, p));
            m.read(0x1000, 1, 0xABC000, true, p);
            assertEquals(List.of("R 1004 2 abc004", "W 1008 4 23456789 abc008", "C 1000 1 5 6", "F 1000 1"), p.log);
            assertTrue(m.regionAt(0x1000).exit());
        }
    }

    @Test
    void accessesWithoutAPortSeeNothing() {
        try (PhysicalMemory m = new PhysicalMemory()) {
            m.addMmioExit(0x1000, 0x10);
            assertEquals(0xFFFF_FFFFL, m.read(0x1000, 4));
            assertEquals(0xFFFF_FFFFL, m.read(0x1000, 4, 0, false, null));
            m.write(0x1000, 4, 0);
            assertEquals(0, m.unmappedReads(), "an exit region is a region, not unmapped");
        }
    }

    @Test
    void anAccessStraddlingRamAndAnExitRegionSplitsIntoBytes() {
        try (PhysicalMemory m = new PhysicalMemory()) {
            m.addRam(0, 0x1000);
            m.addMmioExit(0x1000, 0x10);
            m.write(0xFFE, 2, 0xBBAA);
            Recorder p = new Recorder();
            assertEquals(0x8888_BBAAL, m.read(0xFFE, 4, 0x5FFE, false, p));
            m.write(0xFFF, 2, 0x2211, 0x5FFF, p);
            assertEquals(List.of("R 1000 1 6000", "R 1001 1 6001", "W 1000 1 22 6000"), p.log);
            assertEquals(0x11, m.read(0xFFF, 1));
        }
    }
}
