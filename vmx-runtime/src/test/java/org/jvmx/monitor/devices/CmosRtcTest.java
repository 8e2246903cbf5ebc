package org.jvmx.monitor.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CmosRtcTest {

    /** Thursday 29 February 2024, 13:45:58.25 UTC. */
    private static final Instant START = Instant.parse("2024-02-29T13:45:58.250Z");

    private FakeTime time;
    private RecordingLine irq8;
    private IoBus bus;
    private CmosRtc rtc;

    @BeforeEach
    void setUp() {
        time = new FakeTime(START);
        irq8 = new RecordingLine();
        bus = new IoBus();
        rtc = new CmosRtc(time, irq8).attach(bus);
    }

    private int cmos(int index) {
        bus.write(0x70, 1, index);
        return (int) bus.read(0x71, 1);
    }

    private void cmosWrite(int index, int v) {
        bus.write(0x70, 1, index);
        bus.write(0x71, 1, v);
    }

    @Test
    void bcd24HourIsTheDefault() {
        assertEquals(0x02, cmos(0x0B));
        assertEquals(0x58, cmos(0x00));
        assertEquals(0x45, cmos(0x02));
        assertEquals(0x13, cmos(0x04));
        assertEquals(0x05, cmos(0x06)); // Thursday, Sunday = 1
        assertEquals(0x29, cmos(0x07));
        assertEquals(0x02, cmos(0x08));
        assertEquals(0x24, cmos(0x09));
        assertEquals(0x20, cmos(0x32));
        assertEquals(0x80, cmos(0x0D)); // valid RAM and time
        assertEquals(0x26, cmos(0x0A)); // 32.768 kHz divider, 1024 Hz rate
    }

    @Test
    void binaryAnd12HourFormats() {
        cmosWrite(0x0B, 0x06);          // binary, 24 h
        assertEquals(58, cmos(0x00));
        assertEquals(13, cmos(0x04));
        assertEquals(24, cmos(0x09));
        cmosWrite(0x0B, 0x04);          // binary, 12 h: 1 PM
        assertEquals(0x81, cmos(0x04));
        cmosWrite(0x0B, 0x00);          // BCD, 12 h
        assertEquals(0x81, cmos(0x04));
        time.advance(10L * 3600 * 1_000_000_000L + 15L * 60 * 1_000_000_000L); // 00:01 next day
        assertEquals(0x12, cmos(0x04)); // midnight is 12 AM
        assertEquals(0x01, cmos(0x07)); // 1 March
        assertEquals(0x03, cmos(0x08));
        time.advance(12L * 3600 * 1_000_000_000L);
        assertEquals(0x92, cmos(0x04)); // noon is 12 PM
    }

    @Test
    void timeAdvancesWithTheClock() {
        time.advanceMillis(2_000);
        assertEquals(0x00, cmos(0x00));
        assertEquals(0x46, cmos(0x02));
        assertEquals(LocalDateTime.parse("2024-02-29T13:46:00"), rtc.guestTime());
    }

    @Test
    void settingTheTimeUnderSetBitThenRunning() {
        cmosWrite(0x0B, 0x82);          // SET: updates stop
        cmosWrite(0x00, 0x30);
        cmosWrite(0x02, 0x59);
        cmosWrite(0x04, 0x23);
        cmosWrite(0x07, 0x31);
        cmosWrite(0x08, 0x12);
        cmosWrite(0x09, 0x99);
        cmosWrite(0x32, 0x19);
        time.advanceMillis(5_000);      // frozen while SET holds
        assertEquals(0x30, cmos(0x00));
        assertEquals(0x00, cmos(0x0A) & 0x80);
        cmosWrite(0x0B, 0x02);
        assertEquals(LocalDateTime.parse("1999-12-31T23:59:30"), rtc.guestTime());
        time.advanceMillis(30_000);
        assertEquals(0x00, cmos(0x09));
        assertEquals(0x20, cmos(0x32));
        assertEquals(0x01, cmos(0x08));
    }

    @Test
    void writingATimeRegisterWhileRunningShiftsTheClock() {
        cmosWrite(0x04, 0x08);
        assertEquals(LocalDateTime.parse("2024-02-29T08:45:58"), rtc.guestTime());
        time.advanceMillis(1_000);
        assertEquals(0x59, cmos(0x00));
    }

    @Test
    void writing12HourValuesInBinary() {
        cmosWrite(0x0B, 0x04);          // binary 12 h
        cmosWrite(0x04, 0x80 | 11);     // 11 PM
        assertEquals(23, rtc.guestTime().getHour());
        cmosWrite(0x04, 12);            // 12 AM
        assertEquals(0, rtc.guestTime().getHour());
    }

    @Test
    void nmiMaskBitIsNotPartOfTheIndex() {
        bus.write(0x70, 1, 0x8D);
        assertTrue(rtc.nmiDisabled());
        assertEquals(0x80, bus.read(0x71, 1));
        bus.write(0x70, 1, 0x0D);
        assertFalse(rtc.nmiDisabled());
    }

    @Test
    void updateInProgressInTheLast244Microseconds() {
        time.nanos = 999_800_000;       // 200 us before the update: UIP
        assertEquals(0x80, cmos(0x0A) & 0x80);
        time.nanos = 1_000_100_000;
        assertEquals(0x00, cmos(0x0A) & 0x80);
        time.nanos = 999_755_000;       // 245 us before: not yet
        assertEquals(0x00, cmos(0x0A) & 0x80);
    }

    @Test
    void updateEndedInterruptAndReadClearsC() {
        cmosWrite(0x0B, 0x12);          // UIE
        time.advanceMillis(500);
        rtc.poll();
        assertFalse(irq8.high);
        assertEquals(250_000_000L, rtc.nanosUntilNextEvent()); // started at .25 s
        time.advanceMillis(250);
        rtc.poll();
        assertTrue(irq8.high);
        assertEquals(0x90, cmos(0x0C) & 0xB0); // IRQF | UF (PF runs too, at 1024 Hz, not enabled)
        assertFalse(irq8.high);
        assertEquals(0x00, cmos(0x0C));
    }

    @Test
    void flagsSetWithoutTheirEnableRaiseNoIrq() {
        time.advanceMillis(1_000);
        assertEquals(0x50, cmos(0x0C)); // UF and PF (1024 Hz) set, no IRQF
        assertEquals(0, irq8.risingEdges);
    }

    @Test
    void periodicInterruptAt1024Hz() {
        cmosWrite(0x0C, 0);
        cmos(0x0C);
        cmosWrite(0x0B, 0x42);          // PIE
        long wait = rtc.nanosUntilNextEvent();
        assertTrue(wait > 0 && wait <= 976_563, "wait " + wait);
        time.advance(wait);
        rtc.poll();
        assertTrue(irq8.high);
        assertEquals(0xC0, cmos(0x0C) & 0xC0);
        cmosWrite(0x0A, 0x2F);          // rate 15: 2 Hz
        cmos(0x0C);
        long half = rtc.nanosUntilNextEvent();
        assertTrue(half > 0 && half <= 500_000_000L, "wait " + half);
        time.advance(half - 1);
        assertEquals(0, cmos(0x0C) & 0x40);
        time.advance(1);
        assertEquals(0x40, cmos(0x0C) & 0x40);
        cmosWrite(0x0A, 0x20);          // rate 0: periodic off
        cmos(0x0C);
        time.advanceMillis(1_000);
        assertEquals(0, cmos(0x0C) & 0x40);
    }

    @Test
    void alarmFiresWhenTimeMatches() {
        cmosWrite(0x01, 0x00);
        cmosWrite(0x03, 0x46);
        cmosWrite(0x05, 0x13);
        cmosWrite(0x0B, 0x22);          // AIE
        time.advanceMillis(1_000);      // 13:45:59
        rtc.poll();
        assertFalse(irq8.high);
        time.advanceMillis(1_000);      // 13:46:00
        rtc.poll();
        assertTrue(irq8.high);
        assertEquals(0xA0, cmos(0x0C) & 0xA0);
    }

    @Test
    void dontCareAlarmFiresEverySecond() {
        cmosWrite(0x01, 0xC0);
        cmosWrite(0x03, 0xFF);
        cmosWrite(0x05, 0xC0);
        cmosWrite(0x0B, 0x22);
        time.advanceMillis(1_000);
        rtc.poll();
        assertEquals(0xA0, cmos(0x0C) & 0xA0);
        time.advanceMillis(1_000);
        assertEquals(0xA0, cmos(0x0C) & 0xA0);
    }

    @Test
    void cmosRamAndMemorySize() {
        cmosWrite(0x40, 0x5A);
        assertEquals(0x5A, cmos(0x40));
        cmosWrite(0x7F, 0xA5);
        assertEquals(0xA5, cmos(0x7F));
        rtc.setMemorySize(32L << 20, 4L << 30);
        assertEquals(0x80, cmos(0x15));
        assertEquals(0x02, cmos(0x16));         // 640 KiB
        assertEquals(0x00, cmos(0x17));
        assertEquals(0x7C, cmos(0x18));         // 31 MiB in KiB
        assertEquals(0x7C, cmos(0x31));
        assertEquals(0x00, cmos(0x34));
        assertEquals(0x01, cmos(0x35));         // 16 MiB in 64 KiB units
        assertEquals(0x01, cmos(0x5D));         // 4 GiB above 4 GiB
        int sum = 0;
        for (int i = 0x10; i <= 0x2D; i++) {
            sum += cmos(i);
        }
        assertEquals(sum, cmos(0x2E) << 8 | cmos(0x2F));
        rtc.setMemorySize(3L << 30, 0);
        assertEquals(0xFF, cmos(0x17));
        assertEquals(0xFF, cmos(0x18));
        assertEquals(0xFFFF & ((3 << 14) - 256), cmos(0x34) | cmos(0x35) << 8);
        assertThrows(IllegalArgumentException.class, () -> rtc.setRam(0x0B, 0));
        rtc.setRam(0x14, 0x06);
        assertEquals(0x06, cmos(0x14));
    }

    @Test
    void registerCAndDAreReadOnly() {
        cmosWrite(0x0D, 0x00);
        assertEquals(0x80, cmos(0x0D));
        cmosWrite(0x0A, 0xA6);          // UIP is read-only
        time.nanos = 0;
        assertEquals(0x26, cmos(0x0A));
    }

    @Test
    void irqfFollowsTheEnables() {
        cmosWrite(0x0B, 0x12);          // UIE
        time.advanceMillis(1_000);
        rtc.poll();
        assertTrue(irq8.high);
        cmosWrite(0x0B, 0x02);          // UIE off before reading C: IRQF and the line drop, UF stays
        assertFalse(irq8.high);
        assertEquals(0x10, cmos(0x0C) & 0x90);
    }
}
