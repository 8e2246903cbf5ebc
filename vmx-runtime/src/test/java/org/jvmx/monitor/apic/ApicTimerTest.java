package org.jvmx.monitor.apic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApicTimerTest {

    private static final int VECTOR = 0xEC;
    private static final int ONE_SHOT = 0, PERIODIC = 1 << 17, TSC_DEADLINE = 2 << 17;

    private FakeNanos time;
    private LocalApic apic;

    @BeforeEach
    void setUp() {
        time = new FakeNanos();
        time.now = 1_000_000; // not zero: expiries are relative to the arming time
        apic = new LocalApic(0, true, time, IpiSink.NONE);
        wr(0xF0, 0x1FF);
    }

    private long rd(int offset) {
        return apic.read(offset, 4);
    }

    private void wr(int offset, long v) {
        apic.write(offset, 4, v);
    }

    /** Polls at the current time; true if the timer vector was raised (and takes it). */
    private boolean fired() {
        apic.poll(time.now);
        if (!apic.hasInterrupt()) {
            return false;
        }
        assertEquals(VECTOR, apic.acknowledge());
        wr(0xB0, 0);
        return true;
    }

    @Test
    void divisorTable() {
        int[] configs = {0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xA, 0xB};
        long[] divisors = {2, 4, 8, 16, 32, 64, 128, 1};
        for (int i = 0; i < configs.length; i++) {
            assertEquals(divisors[i], ApicTimer.divisorOf(configs[i]));
        }
    }

    @ParameterizedTest
    @CsvSource({"0,2", "1,4", "2,8", "3,16", "8,32", "9,64", "10,128", "11,1"})
    void oneShot(int config, long divisor) {
        wr(0x3E0, config);
        wr(0x320, ONE_SHOT | VECTOR);
        long start = time.now;
        wr(0x380, 1000);
        assertEquals(1000, rd(0x390));
        assertEquals(start + 1000 * divisor, apic.nextEventNanos());
        time.advance(250 * divisor);
        assertEquals(750, rd(0x390));
        time.advance(divisor - 1);
        assertEquals(750, rd(0x390), "a tick takes `divisor` bus clocks");
        time.now = start + 1000 * divisor - 1;
        assertFalse(fired());
        assertEquals(1, rd(0x390));
        time.advance(1);
        assertTrue(fired());
        assertEquals(0, rd(0x390));
        assertEquals(Long.MAX_VALUE, apic.nextEventNanos());
        time.advance(10_000 * divisor);
        assertFalse(fired(), "one-shot fires once");
        assertEquals(0, rd(0x390));
        assertEquals(1000, rd(0x380));
    }

    @ParameterizedTest
    @CsvSource({"0,2", "3,16", "10,128", "11,1"})
    void periodicCountReload(int config, long divisor) {
        wr(0x3E0, config);
        wr(0x320, PERIODIC | VECTOR);
        long start = time.now;
        wr(0x380, 100);
        time.now = start + 100 * divisor;
        assertEquals(100, rd(0x390), "reloaded at expiry");
        assertTrue(fired());
        time.advance(30 * divisor);
        assertEquals(70, rd(0x390));
        assertEquals(start + 200 * divisor, apic.nextEventNanos());
    }

    @Test
    void periodicDoesNotDrift() {
        wr(0x3E0, 0x3); // divide by 16
        wr(0x320, PERIODIC | VECTOR);
        long start = time.now;
        long period = 12_345L * 16;
        wr(0x380, 12_345);
        Random random = new Random(42);
        int interrupts = 0;
        for (int k = 1; k <= 1000; k++) {
            long due = apic.nextEventNanos();
            assertEquals(start + k * period, due, "period " + k);
            time.now = due + random.nextLong(period); // the run loop is late by up to a period, never a full one
            if (fired()) {
                interrupts++;
            }
        }
        assertEquals(1000, interrupts);
        assertEquals(start + 1001 * period, apic.nextEventNanos());
    }

    @Test
    void latePollsCoalesce() {
        wr(0x3E0, 0xB);
        wr(0x320, PERIODIC | VECTOR);
        long start = time.now;
        wr(0x380, 1000);
        time.now = start + 5500;
        assertTrue(fired());
        assertFalse(fired());
        assertEquals(start + 6000, apic.nextEventNanos());
        assertEquals(500, rd(0x390));
    }

    @Test
    void divideChangeContinuesCount() {
        wr(0x3E0, 0xB); // by 1
        wr(0x320, ONE_SHOT | VECTOR);
        long start = time.now;
        wr(0x380, 1000);
        time.advance(400);
        wr(0x3E0, 0x0); // by 2 from now: 600 ticks left, 1200 ns
        assertEquals(600, rd(0x390));
        assertEquals(start + 400 + 1200, apic.nextEventNanos());
        time.advance(200);
        assertEquals(500, rd(0x390));
    }

    @Test
    void zeroInitialCountStops() {
        wr(0x320, PERIODIC | VECTOR);
        wr(0x380, 100);
        wr(0x380, 0);
        assertEquals(Long.MAX_VALUE, apic.nextEventNanos());
        time.advance(1_000_000);
        assertFalse(fired());
        assertEquals(0, rd(0x390));
    }

    @Test
    void maskedTimerCountsButDoesNotInterrupt() {
        wr(0x320, ONE_SHOT | VECTOR | 1 << 16);
        wr(0x380, 100);
        assertEquals(Long.MAX_VALUE, apic.nextEventNanos());
        time.advance(150);
        assertEquals(25, rd(0x390));
        time.advance(100);
        assertFalse(fired());
        wr(0x320, ONE_SHOT | VECTOR); // unmasking after the expiry does not deliver it late
        assertFalse(fired());
        assertEquals(0, rd(0x390));
    }

    @Test
    void oneShotToPeriodicKeepsCounting() {
        wr(0x3E0, 0xB);
        wr(0x320, ONE_SHOT | VECTOR);
        long start = time.now;
        wr(0x380, 100);
        time.advance(30);
        wr(0x320, PERIODIC | VECTOR);
        assertEquals(70, rd(0x390));
        time.now = start + 100;
        assertTrue(fired());
        assertEquals(start + 200, apic.nextEventNanos());
    }

    @Test
    void tscDeadline() {
        wr(0x320, TSC_DEADLINE | VECTOR);
        long deadline = time.now + 5000;
        assertTrue(apic.writeMsr(0x6E0, deadline));
        assertEquals(OptionalLong.of(deadline), apic.readMsr(0x6E0));
        assertEquals(deadline, apic.nextEventNanos());
        wr(0x380, 10); // ignored in TSC-deadline mode
        assertEquals(0, rd(0x380));
        assertEquals(0, rd(0x390));
        time.now = deadline - 1;
        assertFalse(fired());
        time.now = deadline;
        assertTrue(fired());
        assertEquals(OptionalLong.of(0), apic.readMsr(0x6E0), "disarmed after firing");
        assertEquals(Long.MAX_VALUE, apic.nextEventNanos());
        time.advance(10_000);
        assertFalse(fired());
    }

    @Test
    void tscDeadlineInThePastFiresAtNextPoll() {
        wr(0x320, TSC_DEADLINE | VECTOR);
        apic.writeMsr(0x6E0, 1);
        assertTrue(fired());
    }

    @Test
    void tscDeadlineBeyondSignedRangeIsNever() {
        wr(0x320, TSC_DEADLINE | VECTOR);
        apic.writeMsr(0x6E0, -2L);
        assertEquals(Long.MAX_VALUE, apic.nextEventNanos());
        assertFalse(fired());
    }

    @Test
    void tscDeadlineZeroDisarms() {
        wr(0x320, TSC_DEADLINE | VECTOR);
        apic.writeMsr(0x6E0, time.now + 10);
        apic.writeMsr(0x6E0, 0);
        time.advance(100);
        assertFalse(fired());
    }

    @Test
    void deadlineIgnoredOutsideDeadlineMode() {
        wr(0x320, ONE_SHOT | VECTOR);
        assertTrue(apic.writeMsr(0x6E0, time.now + 10));
        assertEquals(OptionalLong.of(0), apic.readMsr(0x6E0));
        time.advance(100);
        assertFalse(fired());
    }

    @Test
    void leavingDeadlineModeDisarms() {
        wr(0x320, TSC_DEADLINE | VECTOR);
        apic.writeMsr(0x6E0, time.now + 10);
        wr(0x320, ONE_SHOT | VECTOR);
        wr(0x320, TSC_DEADLINE | VECTOR);
        assertEquals(OptionalLong.of(0), apic.readMsr(0x6E0));
        time.advance(100);
        assertFalse(fired());
    }

    @Test
    void x2apicTimerMsrs() {
        assertTrue(apic.writeApicBase(LocalApic.DEFAULT_BASE | LocalApic.BASE_ENABLE | LocalApic.BASE_EXTD));
        assertTrue(apic.writeMsr(0x83E, 0xB));
        assertTrue(apic.writeMsr(0x832, VECTOR));
        long start = time.now;
        assertTrue(apic.writeMsr(0x838, 500));
        time.advance(200);
        assertEquals(OptionalLong.of(300), apic.readMsr(0x839));
        assertFalse(apic.writeMsr(0x839, 1), "current count is read-only");
        assertEquals(start + 500, apic.nextEventNanos());
        time.now = start + 500;
        assertTrue(fired());
    }

    @Test
    void softwareDisabledTimerIsQuiet() {
        wr(0x320, PERIODIC | VECTOR);
        wr(0x380, 100);
        wr(0xF0, 0xFF);
        assertEquals(Long.MAX_VALUE, apic.nextEventNanos());
        time.advance(1000);
        apic.poll(time.now);
        assertFalse(apic.hasInterrupt());
    }
}
