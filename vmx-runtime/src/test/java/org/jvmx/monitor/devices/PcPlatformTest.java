package org.jvmx.monitor.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The devices wired together as the run loop uses them: port I/O in, vectors out of the PIC. */
class PcPlatformTest {

    private FakeTime time;
    private ByteArrayOutputStream serial;
    private int resets;
    private final List<Long> exits = new ArrayList<>();
    private PcPlatform pc;
    private IoBus bus;

    @BeforeEach
    void setUp() {
        time = new FakeTime(Instant.parse("2025-06-01T00:00:00Z"));
        serial = new ByteArrayOutputStream();
        pc = new PcPlatform(time, time, serial::write, () -> resets++, exits::add);
        bus = pc.bus();
        // Linux's PIC init, everything masked but the cascade.
        int[][] init = {{0x21, 0xFF}, {0xA1, 0xFF}, {0x20, 0x11}, {0x21, 0x20}, {0x21, 0x04}, {0x21, 0x01},
                {0xA0, 0x11}, {0xA1, 0x28}, {0xA1, 0x02}, {0xA1, 0x01}, {0x21, 0xFB}, {0xA1, 0xFF}};
        for (int[] w : init) {
            bus.write(w[0], 1, w[1]);
        }
    }

    private void out(int port, int v) {
        bus.write(port, 1, v);
    }

    /** One pass of the run loop: sleep until the next timer event, poll, deliver at most one vector. */
    private int runLoopStep() {
        long next = pc.nextEventNanos();
        if (next != Long.MAX_VALUE && next > time.nanos) {
            time.nanos = next;
        }
        pc.poll(time.nanos);
        return pc.pic().hasInterrupt() ? pc.pic().acknowledge() : -1;
    }

    @Test
    void timerTicksArriveAsVector0x20() {
        out(0x21, 0xFA);
        out(0x43, 0x34);
        out(0x40, 1193 & 0xFF);
        out(0x40, 1193 >> 8);
        long last = 0;
        for (int tick = 1; tick <= 50; tick++) {
            assertEquals(0x20, runLoopStep(), "tick " + tick);
            if (tick > 1) { // the first period also has the load clock
                assertTrue(time.nanos - last < 1_000_000 && time.nanos - last > 999_000);
            }
            last = time.nanos;
            out(0x20, 0x20);
        }
    }

    @Test
    void rtcInterruptComesThroughTheSlave() {
        out(0x21, 0xFB);
        out(0xA1, 0xFE);
        out(0x70, 0x0B);
        out(0x71, 0x12);                 // UIE
        assertEquals(0x28, runLoopStep());
        assertEquals(0x0104, pc.pic().isr());
        out(0x70, 0x0C);
        assertEquals(0x90, bus.read(0x71, 1) & 0x90);
        out(0xA0, 0x20);
        out(0x20, 0x20);
        assertEquals(0x28, runLoopStep()); // next second
    }

    @Test
    void serialInputRaisesIrq4() {
        out(0x21, 0xEB);
        out(0x3F9, 0x01);
        out(0x3FC, 0x08);
        pc.com1().receive("k".getBytes(StandardCharsets.US_ASCII));
        assertTrue(pc.pic().hasInterrupt());
        assertEquals(0x24, pc.pic().acknowledge());
        assertEquals(0x04, bus.read(0x3FA, 1) & 0x0F);
        assertEquals('k', bus.read(0x3F8, 1));
        out(0x3F8, 'o');
        assertEquals("o", serial.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void resetAndExitPorts() {
        out(0x64, 0xFE);
        out(0x92, 0x01);
        assertEquals(2, resets);
        bus.write(0xF4, 4, 0x31);
        assertEquals(List.of(0x63L), exits);
        out(0x80, 0x00);
        assertEquals(0xFFL, bus.read(0x2F8, 1)); // COM2 absent
        assertEquals(1L, bus.unknownPortCounts().get(0x2F8));
        assertFalse(pc.pic().hasInterrupt());
        assertEquals(Long.MAX_VALUE, pc.nextEventNanos());
    }
}
