package org.jvmx.translator.mem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Locked accesses on guest-physical memory from several host threads (the vCPUs of an SMP guest). */
class LockedAccessTest {
    @Test
    void busLockedAccessAcrossTwoPagesComparesAndExchangesAllBytes() {
        try (PhysicalMemory m = new PhysicalMemory()) {
            m.addRam(0, 0x4000);
            m.write(0x1FFE, 2, 0x2211);
            m.write(0x3000, 2, 0x4433);
            // bytes 0-1 at the end of page 1, bytes 2-3 at the start of page 3 (not adjacent)
            assertArrayEquals(new long[] {0x44332211L, 0}, m.busLocked(0x1FFE, 2, 0x3000, 4, 0x44332211L, 0, 0xDDCCBBAAL, 0, 0, null));
            assertEquals(0xBBAA, m.read(0x1FFE, 2));
            assertEquals(0xDDCC, m.read(0x3000, 2));
            assertEquals(0, m.read(0x2000, 2), "the adjacent page is untouched");
            // a mismatch writes nothing
            assertArrayEquals(new long[] {0xDDCCBBAAL, 0}, m.busLocked(0x1FFE, 2, 0x3000, 4, 1, 0, 2, 0, 0, null));
            assertEquals(0xBBAA, m.read(0x1FFE, 2));
        }
    }

    @Test
    void sixteenBytesCompareAndExchangeAsOne() {
        try (PhysicalMemory m = new PhysicalMemory()) {
            m.addRam(0, 0x1000);
            m.write(0x100, 8, 5);
            m.write(0x108, 8, 7);
            assertArrayEquals(new long[] {5, 7}, m.busLocked(0x100, 16, 0x100, 16, 5, 6, 9, 9, 0, null), "high half differs");
            assertEquals(7, m.read(0x108, 8));
            assertArrayEquals(new long[] {5, 7}, m.busLocked(0x100, 16, 0x100, 16, 5, 7, -1, -2, 0, null));
            assertEquals(-1, m.read(0x100, 8));
            assertEquals(-2, m.read(0x108, 8));
        }
    }

    /** 16-byte increments of a pair and 8-byte adds on its low half, in parallel: none lost. */
    @Test
    void wideAndNarrowLockedAccessesDoNotLoseUpdates() throws InterruptedException {
        try (PhysicalMemory m = new PhysicalMemory()) {
            MemorySegment ram = m.addRam(0, 0x1000);
            int n = 200_000;
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean wide = t % 2 == 0;
                ts.add(new Thread(() -> {
                    for (int k = 0; k < n; k++) {
                        if (wide) {
                            while (true) {
                                long lo = m.read(0x100, 8), hi = m.read(0x108, 8);
                                long[] old = m.busLocked(0x100, 16, 0x100, 16, lo, hi, lo + 1, hi + 1, 0, null);
                                if (old[0] == lo && old[1] == hi) break;
                            }
                        } else {
                            m.ramGetAndAdd(ram, 0x100, 0x100, 8, 1);
                        }
                    }
                }));
            }
            ts.forEach(Thread::start);
            for (Thread t : ts) t.join();
            assertEquals(2L * n, m.read(0x108, 8));
            assertEquals(4L * n, m.read(0x100, 8));
        }
    }

    /** A split lock (crossing a quadword) and aligned locked adds on the same bytes. */
    @Test
    void splitLocksAreAtomicAgainstAlignedOnes() throws InterruptedException {
        try (PhysicalMemory m = new PhysicalMemory()) {
            MemorySegment ram = m.addRam(0, 0x1000);
            int n = 200_000;
            Thread split = new Thread(() -> {
                for (int k = 0; k < n; k++) {
                    long old = m.read(0x204, 8);
                    while (true) {
                        long seen = m.compareAndExchange(0x204, 8, old, old + (1L << 32));
                        if (seen == old) break;
                        old = seen;
                    }
                }
            });
            Thread aligned = new Thread(() -> {
                for (int k = 0; k < n; k++) m.ramGetAndAdd(ram, 0x208, 0x208, 4, 1);
            });
            split.start();
            aligned.start();
            split.join();
            aligned.join();
            assertEquals(2L * n, m.read(0x208, 4));
        }
    }
}
