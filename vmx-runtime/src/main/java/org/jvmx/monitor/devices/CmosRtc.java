package org.jvmx.monitor.devices;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * The PC/AT real-time clock and CMOS RAM (Motorola MC146818A datasheet; IBM PC/AT technical reference) at index port
 * 0x70 and data port 0x71. Bit 7 of the index write is the chipset's NMI mask, not part of the index. Registers
 * 0x00-0x09 hold the time and date, 0x0A-0x0D the control registers A-D, 0x32 the century (IBM convention), and
 * everything from 0x0E up is battery-backed RAM the firmware and the monitor use.
 *
 * <p>Time is the injected {@link Clock} plus a whole-second offset set when the guest writes the time (so the
 * update cycle keeps the host's phase). Time registers are stored UTC. While register B's SET bit is 1 updates stop
 * and writes go to a frozen copy, which becomes the time when SET is cleared. The day of week is derived from the
 * date; a value written to register 6 is read back only while SET holds.
 *
 * <p>Register C's flags are computed from elapsed time when read and by {@link #poll()}: UF at each second
 * boundary, AF when the time matches the alarm (0xC0-0xFF in an alarm byte is "don't care"), PF at the rate selected
 * by register A. IRQ8 rises when a flag whose enable is set in register B appears, and falls when C is read.
 */
public final class CmosRtc implements ByteRegisterDevice {

    public static final int INDEX = 0x70, DATA = 0x71, IRQ = 8;

    public static final int SECONDS = 0x00, SECONDS_ALARM = 0x01, MINUTES = 0x02, MINUTES_ALARM = 0x03,
            HOURS = 0x04, HOURS_ALARM = 0x05, DAY_OF_WEEK = 0x06, DAY_OF_MONTH = 0x07, MONTH = 0x08, YEAR = 0x09,
            REG_A = 0x0A, REG_B = 0x0B, REG_C = 0x0C, REG_D = 0x0D, CENTURY = 0x32;

    public static final int A_UIP = 0x80, A_DIVIDER_MASK = 0x70, A_DIVIDER_32K = 0x20, A_RATE_MASK = 0x0F;
    public static final int B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_SQWE = 0x08, B_BINARY = 0x04,
            B_24H = 0x02, B_DSE = 0x01;
    public static final int C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10;
    public static final int D_VRT = 0x80;

    /** The update cycle takes 1984 us; UIP rises 244 us before it (MC146818A, "Update Cycle"). */
    private static final long UIP_LEAD_NANOS = 244_000;
    private static final long NS = 1_000_000_000L;
    private static final int[] TIME_REGS = {SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, CENTURY};

    private final Clock clock;
    private final IrqLine irq;
    private final int[] ram = new int[128];
    private int index;
    private boolean nmiDisabled;
    private int regA = A_DIVIDER_32K | 0x06, regB = B_24H, regC;
    private long offsetSeconds;
    private TimeFields frozen;     // non-null while SET holds
    private long lastEvalNanos;    // guest time of the last flag evaluation
    private boolean irqLevel;

    public CmosRtc(Clock clock, IrqLine irq) {
        this.clock = clock;
        this.irq = irq;
        this.lastEvalNanos = guestNanos();
    }

    /** Registers ports 0x70-0x71. */
    public CmosRtc attach(IoBus bus) {
        bus.register(INDEX, 2, this);
        return this;
    }

    // ---- the monitor's side

    /** NMI masked through port 0x70 bit 7. */
    public synchronized boolean nmiDisabled() {
        return nmiDisabled;
    }

    public synchronized int ram(int i) {
        return ram[i & 0x7F];
    }

    /** Sets a CMOS RAM byte (0x0E-0x7F; the clock registers are not RAM). */
    public synchronized void setRam(int i, int value) {
        if (i < 0x0E || i > 0x7F) {
            throw new IllegalArgumentException("CMOS RAM index 0x%x".formatted(i));
        }
        ram[i] = value & 0xFF;
    }

    /**
     * Fills the memory-size bytes firmware and kernels read: 0x15/0x16 base memory (640 KiB), 0x17/0x18 and
     * 0x30/0x31 extended memory above 1 MiB in KiB (at most 0xFFFF), 0x34/0x35 memory from 16 MiB to
     * {@code belowFourGiB} in 64 KiB units, 0x5B-0x5D memory above 4 GiB in 64 KiB units; then the standard
     * checksum over 0x10-0x2D at 0x2E (high) / 0x2F (low).
     */
    public synchronized void setMemorySize(long belowFourGiB, long aboveFourGiB) {
        putWord(0x15, 640);
        long ext = Math.min(0xFFFF, Math.max(0, belowFourGiB - (1L << 20)) >> 10);
        putWord(0x17, (int) ext);
        putWord(0x30, (int) ext);
        long over16 = Math.min(0xFFFF, Math.max(0, belowFourGiB - (16L << 20)) >> 16);
        putWord(0x34, (int) over16);
        long high = Math.min(0xFFFFFF, aboveFourGiB >> 16);
        ram[0x5B] = (int) (high & 0xFF);
        ram[0x5C] = (int) (high >> 8 & 0xFF);
        ram[0x5D] = (int) (high >> 16 & 0xFF);
        int sum = 0;
        for (int i = 0x10; i <= 0x2D; i++) {
            sum += ram[i];
        }
        ram[0x2E] = sum >> 8 & 0xFF;
        ram[0x2F] = sum & 0xFF;
    }

    private void putWord(int at, int v) {
        ram[at] = v & 0xFF;
        ram[at + 1] = v >> 8 & 0xFF;
    }

    /** The guest's current time (UTC fields), as the registers would show it. */
    public synchronized LocalDateTime guestTime() {
        return currentFields().toDateTime();
    }

    /**
     * Updates register C from elapsed time and raises IRQ8 if an enabled flag appeared. The run loop calls this
     * when {@link #nanosUntilNextEvent()} has passed.
     */
    public synchronized void poll() {
        evaluate();
    }

    /** Nanoseconds (of the clock) until the next enabled RTC interrupt could fire; Long.MAX_VALUE if none. */
    public synchronized long nanosUntilNextEvent() {
        long t = guestNanos();
        long best = Long.MAX_VALUE;
        if ((regB & B_PIE) != 0 && periodicRunning()) {
            int shift = periodShift();
            long k = ticks32k(t) >> shift;
            best = Math.min(best, nanosOf32k((k + 1) << shift) - t);
        }
        if ((regB & (B_UIE | B_AIE)) != 0 && updating()) {
            best = Math.min(best, (Math.floorDiv(t, NS) + 1) * NS - t);
        }
        return Math.max(0, best);
    }

    // ---- registers

    @Override
    public synchronized int readByte(int port) {
        if (port == INDEX) {
            return index | (nmiDisabled ? 0x80 : 0);
        }
        return switch (index) {
            case SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, CENTURY ->
                    encode(index, currentFields().get(index));
            case REG_A -> regA | (updateInProgress() ? A_UIP : 0);
            case REG_B -> regB;
            case REG_C -> readC();
            case REG_D -> D_VRT;
            default -> ram[index];
        };
    }

    @Override
    public synchronized void writeByte(int port, int value) {
        value &= 0xFF;
        if (port == INDEX) {
            index = value & 0x7F;
            nmiDisabled = (value & 0x80) != 0;
            return;
        }
        switch (index) {
            case SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, CENTURY -> writeTime(index, value);
            case REG_A -> {
                evaluate();
                regA = value & 0x7F;
            }
            case REG_B -> writeB(value);
            case REG_C, REG_D -> { } // read-only
            default -> ram[index] = value;
        }
    }

    private void writeB(int value) {
        evaluate();
        boolean wasSet = (regB & B_SET) != 0;
        boolean set = (value & B_SET) != 0;
        if (set) {
            value &= ~B_UIE; // setting SET clears UIE (MC146818A, register B bit 7)
        }
        if (set && !wasSet) {
            frozen = currentFields();
        }
        regB = value;
        if (!set && wasSet) {
            applyTime(frozen);
            frozen = null;
            lastEvalNanos = guestNanos();
        }
        evaluate();
    }

    private void writeTime(int reg, int value) {
        TimeFields f = currentFields();
        f.set(reg, decode(reg, value));
        if (frozen != null) {
            frozen = f;
        } else {
            applyTime(f);
            lastEvalNanos = guestNanos();
        }
    }

    private int readC() {
        evaluate();
        int v = regC;
        regC = 0;
        updateIrq();
        return v;
    }

    // ---- time

    private long hostNanos() {
        Instant i = clock.instant();
        return i.getEpochSecond() * NS + i.getNano();
    }

    private long guestNanos() {
        return hostNanos() + offsetSeconds * NS;
    }

    private TimeFields currentFields() {
        if (frozen != null) {
            return frozen.copy();
        }
        return TimeFields.of(LocalDateTime.ofEpochSecond(Math.floorDiv(guestNanos(), NS), 0, ZoneOffset.UTC));
    }

    private void applyTime(TimeFields f) {
        long target = f.toDateTime().toEpochSecond(ZoneOffset.UTC);
        offsetSeconds = target - Math.floorDiv(hostNanos(), NS);
    }

    private boolean updating() {
        return (regB & B_SET) == 0 && (regA & A_DIVIDER_MASK) == A_DIVIDER_32K;
    }

    private boolean updateInProgress() {
        return updating() && Math.floorMod(guestNanos(), NS) >= NS - UIP_LEAD_NANOS;
    }

    private boolean periodicRunning() {
        return (regA & A_RATE_MASK) != 0 && (regA & A_DIVIDER_MASK) == A_DIVIDER_32K;
    }

    /** Rate select r gives 32768 >> (r - 1) Hz; r = 1 and 2 repeat rates 8 and 9 (MC146818A Table 3). */
    private int periodShift() {
        int r = regA & A_RATE_MASK;
        if (r <= 2) {
            r += 7;
        }
        return r - 1;
    }

    private static long ticks32k(long nanos) {
        return Math.floorDiv(nanos, NS) * 32768 + Math.floorMod(nanos, NS) * 32768 / NS;
    }

    private static long nanosOf32k(long ticks) {
        return Math.floorDiv(ticks, 32768) * NS + (Math.floorMod(ticks, 32768) * NS + 32767) / 32768;
    }

    /** Sets register C flags for what happened since the last evaluation. */
    private void evaluate() {
        long now = guestNanos();
        long then = lastEvalNanos;
        lastEvalNanos = now;
        if (now > then) {
            setFlags(then, now);
        }
        updateIrq();
    }

    private void setFlags(long then, long now) {
        if (periodicRunning()) {
            int shift = periodShift();
            if (ticks32k(now) >> shift != ticks32k(then) >> shift) {
                regC |= C_PF;
            }
        }
        if (updating()) {
            long s0 = Math.floorDiv(then, NS), s1 = Math.floorDiv(now, NS);
            if (s1 != s0) {
                regC |= C_UF;
                // Check the alarm at each update; a day of updates covers every alarm pattern.
                for (long s = Math.max(s0 + 1, s1 - 86_400); s <= s1; s++) {
                    if (alarmMatches(LocalDateTime.ofEpochSecond(s, 0, ZoneOffset.UTC))) {
                        regC |= C_AF;
                        break;
                    }
                }
            }
        }
    }

    private boolean alarmMatches(LocalDateTime t) {
        return alarmField(SECONDS_ALARM, SECONDS, t.getSecond())
                && alarmField(MINUTES_ALARM, MINUTES, t.getMinute())
                && alarmField(HOURS_ALARM, HOURS, t.getHour());
    }

    private boolean alarmField(int alarmReg, int timeReg, int value) {
        int raw = ram[alarmReg];
        return (raw & 0xC0) == 0xC0 || decode(timeReg, raw) == value;
    }

    private void updateIrq() {
        // IRQF = PF.PIE + AF.AIE + UF.UIE (MC146818A, register C): it follows the enables, it is not latched.
        int enabled = regC & regB & (C_PF | C_AF | C_UF);
        regC = regC & ~C_IRQF | (enabled != 0 ? C_IRQF : 0);
        boolean level = (regC & C_IRQF) != 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    // ---- register formats: BCD or binary (register B bit 2), 12 or 24 hours (bit 1)

    private int encode(int reg, int v) {
        boolean pm = false;
        if (reg == HOURS && (regB & B_24H) == 0) {
            pm = v >= 12;
            v = v % 12 == 0 ? 12 : v % 12;
        }
        int r = (regB & B_BINARY) != 0 ? v : (v / 10) << 4 | v % 10;
        return pm ? r | 0x80 : r;
    }

    private int decode(int reg, int raw) {
        boolean pm = false;
        if (reg == HOURS && (regB & B_24H) == 0) {
            pm = (raw & 0x80) != 0;
            raw &= 0x7F;
        }
        int v = (regB & B_BINARY) != 0 ? raw : (raw >> 4) * 10 + (raw & 0xF);
        if (reg == HOURS && (regB & B_24H) == 0) {
            v = v % 12 + (pm ? 12 : 0);
        }
        return v;
    }

    /** The eight clock registers as plain numbers (hours 0-23, year 0-99, century). */
    private static final class TimeFields {
        final int[] f = new int[TIME_REGS.length];

        static TimeFields of(LocalDateTime t) {
            TimeFields x = new TimeFields();
            x.set(SECONDS, t.getSecond());
            x.set(MINUTES, t.getMinute());
            x.set(HOURS, t.getHour());
            x.set(DAY_OF_WEEK, t.getDayOfWeek().getValue() % 7 + 1); // 1 = Sunday
            x.set(DAY_OF_MONTH, t.getDayOfMonth());
            x.set(MONTH, t.getMonthValue());
            x.set(YEAR, t.getYear() % 100);
            x.set(CENTURY, t.getYear() / 100);
            return x;
        }

        private static int slot(int reg) {
            for (int k = 0; k < TIME_REGS.length; k++) {
                if (TIME_REGS[k] == reg) {
                    return k;
                }
            }
            throw new IllegalArgumentException("not a clock register: " + reg);
        }

        int get(int reg) {
            return f[slot(reg)];
        }

        void set(int reg, int v) {
            f[slot(reg)] = v;
        }

        TimeFields copy() {
            TimeFields x = new TimeFields();
            System.arraycopy(f, 0, x.f, 0, f.length);
            return x;
        }

        /** Out-of-range values (a guest mid-way through setting the date) are clamped to the nearest valid one. */
        LocalDateTime toDateTime() {
            int year = clamp(get(CENTURY), 0, 99) * 100 + clamp(get(YEAR), 0, 99);
            int month = clamp(get(MONTH), 1, 12);
            int day = clamp(get(DAY_OF_MONTH), 1, YearMonth.of(year, month).lengthOfMonth());
            return LocalDateTime.of(year, month, day, clamp(get(HOURS), 0, 23), clamp(get(MINUTES), 0, 59),
                    clamp(get(SECONDS), 0, 59));
        }

        private static int clamp(int v, int lo, int hi) {
            return Math.max(lo, Math.min(hi, v));
        }
    }
}
