package org.jvmx.monitor.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Pit8254Test {

    private FakeTime time;
    private RecordingLine irq0;
    private IoBus bus;
    private Pit8254 pit;

    @BeforeEach
    void setUp() {
        time = new FakeTime();
        irq0 = new RecordingLine();
        bus = new IoBus();
        pit = new Pit8254(time, irq0).attach(bus);
    }

    private void out(int port, int v) {
        bus.write(port, 1, v);
    }

    private int in(int port) {
        return (int) bus.read(port, 1);
    }

    /** Linux's setup_pit_timer for HZ = 1000: control 0x34 (counter 0, LSB/MSB, mode 2), LATCH = 1193. */
    private void programHz1000() {
        out(0x43, 0x34);
        out(0x40, 1193 & 0xFF);
        out(0x40, 1193 >> 8);
    }

    private static long nanosOfTicks(long ticks) {
        return (ticks * 1_000_000_000L + Pit8254.INPUT_HZ - 1) / Pit8254.INPUT_HZ;
    }

    @Test
    void mode2At1000HzGivesOneIrq0EdgePerMillisecond() {
        programHz1000();
        assertEquals(1193, pit.reload(0));
        // The first CLK loads the count; OUT rises after 1193 more.
        assertEquals(nanosOfTicks(1194), pit.nextEventNanos());
        assertEquals(0, pit.poll(time.nanos));
        assertEquals(0, irq0.takeEdges());
        time.nanos = pit.nextEventNanos() - 1;
        assertEquals(0, pit.poll(time.nanos));
        time.nanos++;
        assertEquals(1, pit.poll(time.nanos));
        assertEquals(1, irq0.takeEdges());
        for (int ms = 1; ms <= 1000; ms++) {
            time.advanceMillis(1);
            assertEquals(1, pit.poll(time.nanos), "ms " + ms);
            assertEquals(1, irq0.takeEdges(), "ms " + ms);
            assertEquals(0, pit.poll(time.nanos));
            assertEquals(0, irq0.takeEdges());
            long next = pit.nextEventNanos();
            assertTrue(next > time.nanos && next <= time.nanos + 1_000_000, "ms " + ms);
        }
    }

    @Test
    void lateRunLoopMergesTicksIntoOneEdge() {
        programHz1000();
        time.advanceMillis(10);
        assertEquals(10, pit.poll(time.nanos));
        assertEquals(1, irq0.takeEdges());
    }

    @Test
    void nextEventIsExactlyWhenThePeriodEnds() {
        programHz1000();
        long next = pit.nextEventNanos();
        time.nanos = next - 1;
        assertEquals(0, pit.poll(time.nanos));
        time.nanos = next;
        assertEquals(1, pit.poll(time.nanos));
        assertEquals(nanosOfTicks(2 * 1193 + 1), pit.nextEventNanos());
    }

    @Test
    void counterLatchFreezesTheReadValue() {
        programHz1000();
        time.nanos = nanosOfTicks(101); // load clock + 100 decrements
        out(0x43, 0x00);               // latch counter 0
        time.nanos = nanosOfTicks(501); // the counter moves on, the latch does not
        assertEquals((1193 - 100) & 0xFF, in(0x40));
        assertEquals((1193 - 100) >> 8, in(0x40));
        // Unlatched reads follow the counter again.
        int lo = in(0x40);
        int hi = in(0x40);
        assertEquals(1193 - 500, lo | hi << 8);
    }

    @Test
    void secondLatchBeforeReadingKeepsTheFirst() {
        programHz1000();
        time.nanos = nanosOfTicks(11);
        out(0x43, 0x00);
        time.nanos = nanosOfTicks(21);
        out(0x43, 0x00);
        assertEquals(1193 - 10, in(0x40) | in(0x40) << 8);
    }

    @Test
    void readBackLatchesStatusThenCount() {
        programHz1000();
        time.nanos = nanosOfTicks(1193); // counter at 1: mode 2 drives OUT low for this clock
        out(0x43, 0xC2);               // read-back: count and status of counter 0
        int status = in(0x40);
        assertEquals(0x34, status);     // OUT low, count loaded, LSB/MSB, mode 2, binary
        assertEquals(1, in(0x40) | in(0x40) << 8);
        time.nanos = nanosOfTicks(1194);
        out(0x43, 0xE2);               // status only
        assertEquals(0xB4, in(0x40));   // OUT high again
    }

    @Test
    void statusShowsNullCountUntilTheCountIsWritten() {
        out(0x43, 0xB0);                // counter 2, LSB/MSB, mode 0
        out(0x43, 0xE8);                // read-back status of counter 2
        assertEquals(0x70, in(0x42));   // OUT low (mode 0), null count, rw 3, mode 0
        out(0x42, 0x34);
        out(0x43, 0xE8);
        assertEquals(0x70, in(0x42));   // only half the count written
        out(0x42, 0x12);
        out(0x43, 0xE8);
        assertEquals(0x30, in(0x42));
    }

    @Test
    void mode0IsOneShot() {
        out(0x43, 0x30);                // counter 0, LSB/MSB, mode 0
        out(0x40, 100);
        out(0x40, 0);
        assertFalse(pit.out(0));
        assertEquals(nanosOfTicks(101), pit.nextEventNanos()); // N + 1 clocks after the count is written
        time.nanos = nanosOfTicks(100);
        assertEquals(0, pit.poll(time.nanos));
        time.nanos = nanosOfTicks(101);
        assertEquals(1, pit.poll(time.nanos));
        assertTrue(pit.out(0));
        assertEquals(Long.MAX_VALUE, pit.nextEventNanos());
        time.advanceMillis(100);
        assertEquals(0, pit.poll(time.nanos));
        assertEquals(1, irq0.takeEdges());
        // After terminal count the counter wraps and keeps counting down.
        time.nanos = nanosOfTicks(102);
        assertEquals(0xFFFF, pit.counter(0));
    }

    @Test
    void mode3SquareWaveCountsByTwoAndTogglesOut() {
        out(0x43, 0x36);                // counter 0, LSB/MSB, mode 3
        out(0x40, 0x00);
        out(0x40, 0x00);                // 0 = 65536: the BIOS's 18.2 Hz
        assertEquals(65536, pit.reload(0));
        time.nanos = nanosOfTicks(1 + 10);
        assertEquals(65536 - 20, pit.counter(0));
        assertTrue(pit.out(0));
        time.nanos = nanosOfTicks(1 + 32768 + 5);
        assertFalse(pit.out(0));
        assertEquals(65536 - 10, pit.counter(0));
        time.nanos = nanosOfTicks(65536);
        assertFalse(pit.out(0));
        time.nanos = nanosOfTicks(1 + 65536);
        assertTrue(pit.out(0));
        assertEquals(1, pit.poll(time.nanos));
        assertEquals(nanosOfTicks(1 + 2 * 65536), pit.nextEventNanos());
    }

    @Test
    void oddCountSquareWaveHighHalfIsLonger() {
        out(0x43, 0x36);
        out(0x40, 5);
        out(0x40, 0);
        boolean[] outs = new boolean[5];
        for (int t = 0; t < 5; t++) {
            time.nanos = nanosOfTicks(1 + t);
            outs[t] = pit.out(0);
        }
        assertTrue(outs[0] && outs[1] && outs[2] && !outs[3] && !outs[4]);
    }

    @Test
    void lsbOnlyAndMsbOnlyAccess() {
        out(0x43, 0x54);                // counter 1, LSB only, mode 2
        out(0x41, 18);                  // the classic DRAM refresh count
        assertEquals(18, pit.reload(1));
        time.nanos = nanosOfTicks(6);
        assertEquals(13, in(0x41));
        out(0x43, 0x64);                // counter 1, MSB only, mode 2
        out(0x41, 0x02);
        assertEquals(0x200, pit.reload(1));
        time.nanos += nanosOfTicks(0x100);
        assertEquals(0x01, in(0x41));
    }

    @Test
    void bcdCounting() {
        out(0x43, 0x35);                // counter 0, LSB/MSB, mode 2, BCD
        out(0x40, 0x00);
        out(0x40, 0x10);                // BCD 1000
        assertEquals(1000, pit.reload(0));
        time.nanos = nanosOfTicks(2);
        assertEquals(0x99, in(0x40));
        assertEquals(0x09, in(0x40));   // 0999
        out(0x43, 0x31);                // mode 0 BCD with count 0 = 10000
        out(0x40, 0);
        out(0x40, 0);
        assertEquals(10000, pit.reload(0));
    }

    @Test
    void linuxTscCalibrationThroughPortB() {
        // pit_calibrate_tsc: gate on, speaker off; counter 2 mode 0 with a 10 ms count; poll port 0x61 bit 5.
        out(0x61, (in(0x61) & ~0x02) | 0x01);
        out(0x43, 0xB0);
        int latch = 11931;
        out(0x42, latch & 0xFF);
        out(0x42, latch >> 8);
        long start = time.nanos;
        while ((in(0x61) & 0x20) == 0) {
            time.advance(100);
        }
        long elapsed = time.nanos - start;
        assertTrue(elapsed >= 10_000_000 && elapsed < 10_001_000, "elapsed " + elapsed);
        assertEquals(0x01, in(0x61) & 0x0F);
    }

    @Test
    void counter2GateLowHoldsTheCountInMode0() {
        out(0x61, 0x00);
        out(0x43, 0xB0);
        out(0x42, 0x00);
        out(0x42, 0x10);                // 4096
        time.advanceMillis(50);
        assertEquals(4096, pit.counter(2));
        out(0x61, 0x01);                // gate on: counting starts
        time.nanos += nanosOfTicks(97);
        assertEquals(4000, pit.counter(2));
        out(0x61, 0x00);                // gate off: counting pauses
        time.advanceMillis(1);
        assertEquals(4000, pit.counter(2));
        out(0x61, 0x01);
        time.nanos += nanosOfTicks(1000);
        assertEquals(3000, pit.counter(2));
    }

    @Test
    void mode1WaitsForAGateTrigger() {
        out(0x61, 0x00);
        out(0x43, 0xB2);                // counter 2, mode 1
        out(0x42, 100);
        out(0x42, 0);
        assertTrue(pit.out(2));
        time.advanceMillis(1);
        assertTrue(pit.out(2));
        out(0x61, 0x01);                // rising gate triggers: OUT low for 100 clocks
        assertFalse(pit.out(2));
        time.nanos += nanosOfTicks(100);
        assertFalse(pit.out(2));
        time.nanos += nanosOfTicks(1);
        assertTrue(pit.out(2));
    }

    @Test
    void portBRefreshBitToggles() {
        int a = in(0x61) & 0x10;
        time.advance(15_085);
        int b = in(0x61) & 0x10;
        assertEquals(0x10, a ^ b);
    }

    @Test
    void reprogrammingRestartsAndControlPortReadsOnes() {
        programHz1000();
        time.advanceMillis(5);
        pit.poll(time.nanos);
        irq0.takeEdges();
        programHz1000();
        assertEquals(time.nanos + nanosOfTicks(1194), pit.nextEventNanos());
        assertEquals(0xFF, in(0x43));
    }

    @Test
    void mode4OneShotAsLinuxClockEventsUseIt() {
        // Oneshot clock events: control 0x38 (counter 0, LSB/MSB, mode 4), then each event writes a new delta.
        out(0x43, 0x38);
        assertEquals(Long.MAX_VALUE, pit.nextEventNanos());
        out(0x40, 0xE8);
        out(0x40, 0x03);                // 1000 clocks
        assertTrue(pit.out(0));
        // The strobe: OUT low for the clock at terminal count, rising one clock later.
        assertEquals(nanosOfTicks(1002), pit.nextEventNanos());
        time.nanos = nanosOfTicks(1001);
        assertFalse(pit.out(0));
        assertEquals(0, pit.poll(time.nanos));
        time.nanos = nanosOfTicks(1002);
        assertEquals(1, pit.poll(time.nanos));
        assertEquals(Long.MAX_VALUE, pit.nextEventNanos());
        time.advanceMillis(100);
        assertEquals(0, pit.poll(time.nanos));
        // Re-arm: a new count restarts the counter.
        long armed = time.nanos;
        out(0x40, 100);
        out(0x40, 0);
        assertEquals(armed + nanosOfTicks(102), pit.nextEventNanos());
        time.nanos = pit.nextEventNanos();
        assertEquals(1, pit.poll(time.nanos));
        assertEquals(2, irq0.takeEdges());
    }

    @Test
    void linuxShutdownProgramsMode0WithMaximumCount() {
        programHz1000();
        out(0x43, 0x30);
        out(0x40, 0);
        out(0x40, 0);
        assertEquals(65536, pit.reload(0));
        assertEquals(time.nanos + nanosOfTicks(65537), pit.nextEventNanos());
    }

    @Test
    void mode0FirstByteOfANewCountStopsCountingAndDropsOut() {
        out(0x43, 0x30);
        out(0x40, 10);
        out(0x40, 0);
        time.nanos = nanosOfTicks(20);
        assertTrue(pit.out(0));
        out(0x40, 50);
        assertFalse(pit.out(0));
        assertEquals(Long.MAX_VALUE, pit.nextEventNanos());
        time.advanceMillis(1);
        assertFalse(pit.out(0));
        long written = time.nanos;
        out(0x40, 0);
        assertEquals(written + nanosOfTicks(51), pit.nextEventNanos());
    }
}
