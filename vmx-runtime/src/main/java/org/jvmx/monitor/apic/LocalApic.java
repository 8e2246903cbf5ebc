package org.jvmx.monitor.apic;

import static org.jvmx.monitor.apic.ApicRegisters.*;

import java.util.OptionalLong;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import org.jvmx.monitor.devices.InterruptSource;
import org.jvmx.translator.mem.MmioHandler;

/**
 * One vCPU's local APIC (Intel SDM Vol. 3A, chapter 11): the register file in xAPIC mode (a 4 KiB MMIO page at the
 * IA32_APIC_BASE address) and x2APIC mode (MSRs 0x800-0x8FF), fixed-interrupt acceptance and priority (11.8),
 * the timer (11.5.4, see {@link ApicTimer}) and IPIs through the ICR (11.6).
 *
 * <p>The vCPU reads the APIC as its {@link InterruptSource}: {@link #hasInterrupt()} is the APIC's request to the
 * core, {@link #acknowledge()} the core's acceptance (the vector moves from IRR to ISR). There is no timer thread:
 * the run loop asks {@link #nextEventNanos()} and calls {@link #poll(long)}.
 *
 * <p>Thread safety: every entry point locks the APIC. Callbacks out of it (the {@link IpiSink}, the level-EOI
 * listener) run after the lock is released, so they may call into other APICs or the I/O APIC.
 */
public final class LocalApic implements MmioHandler, InterruptSource {

    /** Power-up IA32_APIC_BASE address (SDM 11.4.4). */
    public static final long DEFAULT_BASE = 0xFEE0_0000L;
    public static final int MMIO_SIZE = 0x1000;
    /**
     * The timer's bus clock: 1 GHz, so the undivided count runs at one tick per nanosecond. The monitor reports it
     * to the guest as the core crystal clock (CPUID leaf 15H) / bus frequency (leaf 16H).
     */
    public static final long TIMER_BUS_HZ = 1_000_000_000L;

    public static final int MSR_APIC_BASE = 0x1B, MSR_TSC_DEADLINE = 0x6E0;
    public static final int MSR_X2APIC_FIRST = 0x800, MSR_X2APIC_LAST = 0x8FF;

    /** IA32_APIC_BASE bits (SDM Figure 11-5). */
    public static final long BASE_BSP = 1L << 8, BASE_EXTD = 1L << 10, BASE_ENABLE = 1L << 11;

    /** Version register: version 14H (integrated APIC), max LVT entry 6 (timer..error plus CMCI). */
    static final int VERSION_VALUE = 0x14 | 6 << 16;

    /** ESR bits (SDM Figure 11-9). */
    static final int ESR_SEND_ILLEGAL_VECTOR = 1 << 5, ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6,
            ESR_ILLEGAL_REGISTER = 1 << 7;

    static final int LVT_MASK = 1 << 16;
    static final int SVR_ENABLE = 1 << 8;

    private final int initialId;
    private final long baseReservedMask;
    private final LongSupplier nanos;
    private final IpiSink ipiSink;
    private volatile IntConsumer levelEoi = v -> { };

    private long apicBase;
    private ApicMode mode;
    private int id;
    private final int[] regs = new int[COUNT];   // plain storage registers: TPR, LDR, DFR, SVR, LVTs, ICR
    private final VectorBitmap irr = new VectorBitmap(), isr = new VectorBitmap(), tmr = new VectorBitmap();
    private int esr;            // what the ESR reads
    private int pendingErrors;  // errors since the last ESR write
    private final ApicTimer timer = new ApicTimer();

    /**
     * @param apicId       the initial APIC ID (CPUID.1:EBX[31:24], CPUID.0BH:EDX)
     * @param bsp          IA32_APIC_BASE.BSP: this is the bootstrap processor
     * @param physAddrBits MAXPHYADDR: the base address bits above it are reserved
     * @param nanos        monotonic nanoseconds, also the TSC for IA32_TSC_DEADLINE
     * @param ipiSink      receives the IPIs that may reach other processors
     */
    public LocalApic(int apicId, boolean bsp, int physAddrBits, LongSupplier nanos, IpiSink ipiSink) {
        this.initialId = apicId;
        this.nanos = nanos;
        this.ipiSink = ipiSink;
        long baseBits = ((1L << physAddrBits) - 1) & ~0xFFFL;
        this.baseReservedMask = ~(baseBits | BASE_BSP | BASE_EXTD | BASE_ENABLE);
        this.apicBase = DEFAULT_BASE | BASE_ENABLE | (bsp ? BASE_BSP : 0);
        this.mode = ApicMode.XAPIC;
        powerUp();
    }

    /** MAXPHYADDR 48, as jvmx's CPU reports by default. */
    public LocalApic(int apicId, boolean bsp, LongSupplier nanos, IpiSink ipiSink) {
        this(apicId, bsp, 48, nanos, ipiSink);
    }

    /** Called with the vector of every EOI for a level-triggered interrupt (the EOI broadcast to I/O APICs). */
    public void onLevelEoi(IntConsumer listener) {
        this.levelEoi = listener;
    }

    /** Power-up / INIT register state (SDM 11.4.7.1); the ID and IA32_APIC_BASE are kept. */
    private void powerUp() {
        id = mode == ApicMode.X2APIC ? initialId : initialId & 0xFF;
        java.util.Arrays.fill(regs, 0);
        regs[DFR] = -1;
        regs[SVR] = 0xFF;
        for (int i = 0; i < COUNT; i++) {
            if (isLvt(i)) {
                regs[i] = LVT_MASK;
            }
        }
        irr.clearAll();
        isr.clearAll();
        tmr.clearAll();
        esr = 0;
        pendingErrors = 0;
        timer.reset();
    }

    /** An INIT reset of the local APIC (SDM 11.4.7.3): registers as at power-up, mode and ID kept. */
    public synchronized void reset() {
        int keepId = id;
        powerUp();
        id = keepId;
    }

    // ---------------------------------------------------------------- IA32_APIC_BASE

    public synchronized long apicBase() {
        return apicBase;
    }

    /** The guest-physical address of the xAPIC page (meaningful in xAPIC mode). */
    public synchronized long mmioBase() {
        return apicBase & ~baseReservedMask & ~0xFFFL;
    }

    public synchronized ApicMode mode() {
        return mode;
    }

    /** The APIC ID as the guest sees it now (8 bits in xAPIC mode, 32 in x2APIC mode). */
    public synchronized int id() {
        return id;
    }

    /**
     * WRMSR IA32_APIC_BASE. False (#GP) for reserved bits, the invalid EN = 0 / EXTD = 1 state, and the illegal
     * transitions x2APIC -> xAPIC and disabled -> x2APIC (SDM 11.12.5, Figure 11-28). BSP is fixed by the
     * platform: the written bit is ignored. Disabling the APIC returns it to its power-up state (SDM 11.4.3).
     */
    public synchronized boolean writeApicBase(long value) {
        if ((value & baseReservedMask) != 0) {
            return false;
        }
        boolean en = (value & BASE_ENABLE) != 0, extd = (value & BASE_EXTD) != 0;
        ApicMode next;
        if (!en) {
            if (extd) {
                return false;
            }
            next = ApicMode.DISABLED;
        } else {
            next = extd ? ApicMode.X2APIC : ApicMode.XAPIC;
        }
        if (mode == ApicMode.X2APIC && next == ApicMode.XAPIC || mode == ApicMode.DISABLED && next == ApicMode.X2APIC) {
            return false;
        }
        ApicMode previous = mode;
        apicBase = value & ~BASE_BSP | apicBase & BASE_BSP;
        mode = next;
        if (next == ApicMode.DISABLED && previous != ApicMode.DISABLED) {
            powerUp();
        } else if (next == ApicMode.X2APIC && previous == ApicMode.XAPIC) {
            id = initialId; // the x2APIC ID is the full initial ID; LDR is derived from it (SDM 11.12.10.2)
            regs[ICR_HIGH] = 0; // the destination field widens to bits 63:32
        }
        return true;
    }

    // ---------------------------------------------------------------- MSR interface

    /** True for the MSRs {@link #readMsr} and {@link #writeMsr} serve. */
    public static boolean handlesMsr(int msr) {
        return msr == MSR_APIC_BASE || msr == MSR_TSC_DEADLINE || msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST;
    }

    /** RDMSR; empty means #GP (x2APIC MSRs outside x2APIC mode, reserved or write-only registers). */
    public OptionalLong readMsr(int msr) {
        synchronized (this) {
            if (msr == MSR_APIC_BASE) {
                return OptionalLong.of(apicBase);
            }
            if (msr == MSR_TSC_DEADLINE) {
                return OptionalLong.of(timer.deadline());
            }
            if (mode != ApicMode.X2APIC || msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST) {
                return OptionalLong.empty();
            }
            int index = msr - MSR_X2APIC_FIRST;
            if ((access(index, true) & R) == 0) {
                return OptionalLong.empty();
            }
            if (index == ICR_LOW) {
                return OptionalLong.of((long) regs[ICR_HIGH] << 32 | regs[ICR_LOW] & 0xFFFF_FFFFL);
            }
            return OptionalLong.of(readRegister(index) & 0xFFFF_FFFFL);
        }
    }

    /** WRMSR; false means #GP (as for reads, plus read-only registers and reserved bits 63:32). */
    public boolean writeMsr(int msr, long value) {
        Runnable after;
        synchronized (this) {
            if (msr == MSR_APIC_BASE) {
                return writeApicBase(value);
            }
            if (msr == MSR_TSC_DEADLINE) {
                timer.writeDeadline(value);
                return true;
            }
            if (mode != ApicMode.X2APIC || msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST) {
                return false;
            }
            int index = msr - MSR_X2APIC_FIRST;
            if ((access(index, true) & W) == 0) {
                return false;
            }
            if (index == ICR_LOW) {
                regs[ICR_HIGH] = (int) (value >>> 32);
                regs[ICR_LOW] = (int) value & writable(ICR_LOW);
                after = sendIpi();
            } else {
                // SDM 11.12.1.2: bits 63:32 of the 32-bit registers are reserved; EOI, ESR and SELF IPI take 0 /
                // a vector only.
                if (value >>> 32 != 0
                        || (index == EOI || index == ESR) && value != 0
                        || index == SELF_IPI && (value & ~0xFFL) != 0) {
                    return false;
                }
                after = writeRegister(index, (int) value);
            }
        }
        runAfter(after);
        return true;
    }

    // ---------------------------------------------------------------- xAPIC MMIO page

    /** xAPIC register read: 32-bit accesses at 16-byte-aligned offsets; anything else (and other modes) reads 0. */
    @Override
    public synchronized long read(long offset, int size) {
        if (mode != ApicMode.XAPIC || size != 4 || (offset & 0xF) != 0 || offset < 0 || offset >= MMIO_SIZE) {
            return 0;
        }
        int index = (int) (offset >>> 4);
        int access = access(index, false);
        if ((access & R) == 0) {
            if (access == 0) {
                error(ESR_ILLEGAL_REGISTER);
            }
            return 0;
        }
        return readRegister(index) & 0xFFFF_FFFFL;
    }

    /** xAPIC register write; unaligned, non-32-bit and read-only targets are ignored. */
    @Override
    public void write(long offset, int size, long value) {
        Runnable after = null;
        synchronized (this) {
            if (mode != ApicMode.XAPIC || size != 4 || (offset & 0xF) != 0 || offset < 0 || offset >= MMIO_SIZE) {
                return;
            }
            int index = (int) (offset >>> 4);
            int access = access(index, false);
            if ((access & W) == 0) {
                if (access == 0) {
                    error(ESR_ILLEGAL_REGISTER);
                }
                return;
            }
            after = writeRegister(index, (int) value);
        }
        runAfter(after);
    }

    // ---------------------------------------------------------------- registers (lock held)

    private int readRegister(int index) {
        boolean x2 = mode == ApicMode.X2APIC;
        if (index >= ISR0 && index < ISR0 + 8) {
            return isr.register(index - ISR0);
        }
        if (index >= TMR0 && index < TMR0 + 8) {
            return tmr.register(index - TMR0);
        }
        if (index >= IRR0 && index < IRR0 + 8) {
            return irr.register(index - IRR0);
        }
        return switch (index) {
            case ID -> x2 ? id : id << 24;
            case VERSION -> VERSION_VALUE;
            case APR -> arbitrationPriority();
            case PPR -> processorPriority();
            case LDR -> x2 ? x2apicLdr() : regs[LDR];
            case ESR -> esr;
            case TIMER_INITIAL -> (int) timer.initialCount();
            case TIMER_CURRENT -> (int) timer.current(nanos.getAsLong());
            case DIVIDE_CONFIG -> timer.divideConfig();
            case EOI, RRD -> 0;
            default -> regs[index];
        };
    }

    /** Writes an existing, writable register; returns what to run once the lock is released (or null). */
    private Runnable writeRegister(int index, int value) {
        int bits = value & writable(index);
        switch (index) {
            case ID -> id = bits >>> 24;
            case EOI -> {
                return endOfInterrupt();
            }
            case DFR -> regs[DFR] = bits | 0x0FFF_FFFF;
            case SVR -> {
                regs[SVR] = bits;
                if ((bits & SVR_ENABLE) == 0) {
                    // SDM 11.4.7.2: software disabling masks every LVT entry
                    for (int i = 0; i < COUNT; i++) {
                        if (isLvt(i)) {
                            regs[i] |= LVT_MASK;
                        }
                    }
                }
            }
            case ESR -> {
                // SDM 11.5.3: a write latches the errors logged since the previous write
                esr = pendingErrors;
                pendingErrors = 0;
            }
            case ICR_LOW -> {
                regs[ICR_LOW] = bits;
                return sendIpi();
            }
            case TIMER_INITIAL -> timer.writeInitial(value & 0xFFFF_FFFFL, nanos.getAsLong());
            case DIVIDE_CONFIG -> timer.writeDivide(bits, nanos.getAsLong());
            case SELF_IPI -> acceptLocked(value & 0xFF, false);
            default -> {
                if (isLvt(index)) {
                    writeLvt(index, value);
                } else {
                    regs[index] = bits;
                }
            }
        }
        return null;
    }

    private void writeLvt(int index, int value) {
        int keep = index == LVT_LINT0 || index == LVT_LINT1 ? regs[index] & 1 << 14 : 0; // remote IRR
        int bits = value & writable(index) | keep;
        if ((regs[SVR] & SVR_ENABLE) == 0) {
            bits |= LVT_MASK; // SDM 11.4.7.2: the mask bits cannot be cleared while software-disabled
        }
        if (index == LVT_TIMER) {
            long now = nanos.getAsLong();
            timer.poll(now); // expiries that happened while masked are consumed, not delivered late
            timer.setMode(bits >> 17 & 3, now);
        }
        regs[index] = bits;
    }

    private int x2apicLdr() {
        // SDM 11.12.10.2: cluster ID = x2APIC ID[19:4] in bits 31:16, bit (ID[3:0]) set in bits 15:0
        return (id >>> 4) << 16 | 1 << (id & 0xF);
    }

    /** PPR (SDM 11.8.3.1): TPR when its class is at least that of the highest in-service vector, else that class. */
    private int processorPriority() {
        int tpr = regs[TPR] & 0xFF;
        int isrv = Math.max(isr.highest(), 0);
        return (tpr & 0xF0) >= (isrv & 0xF0) ? tpr : isrv & 0xF0;
    }

    /** APR (SDM 11.8.3.1 for the P6-family rule): TPR unless a pending or in-service class is higher. */
    private int arbitrationPriority() {
        int tpr = regs[TPR] & 0xFF;
        int isrv = Math.max(isr.highest(), 0) & 0xF0;
        int irrv = Math.max(irr.highest(), 0) & 0xF0;
        if ((tpr & 0xF0) >= irrv && (tpr & 0xF0) > isrv) {
            return tpr;
        }
        return Math.max(tpr & 0xF0, Math.max(isrv, irrv));
    }

    private void error(int bit) {
        pendingErrors |= bit;
        int lvt = regs[LVT_ERROR];
        if ((lvt & LVT_MASK) == 0 && (lvt & 0xFF) >= 16 && enabled()) {
            irr.set(lvt & 0xFF);
            tmr.clear(lvt & 0xFF);
        }
    }

    private boolean enabled() {
        return mode != ApicMode.DISABLED && (regs[SVR] & SVR_ENABLE) != 0;
    }

    private static void runAfter(Runnable after) {
        if (after != null) {
            after.run();
        }
    }

    // ---------------------------------------------------------------- interrupt acceptance and delivery

    /** A fixed, edge-triggered interrupt message for {@code vector}. */
    public boolean accept(int vector) {
        return accept(vector, false);
    }

    /**
     * A fixed interrupt message (SDM 11.8.4): sets the vector's IRR bit and its TMR bit to the trigger mode.
     * Vectors 0-15 are illegal (ESR "receive illegal vector"); a disabled APIC drops the message.
     *
     * @return whether the vector was accepted into IRR (false: dropped or illegal)
     */
    public synchronized boolean accept(int vector, boolean levelTriggered) {
        return acceptLocked(vector & 0xFF, levelTriggered);
    }

    /** True when the vector entered IRR. */
    private boolean acceptLocked(int vector, boolean level) {
        if (!enabled()) {
            return false;
        }
        if (vector < 16) {
            error(ESR_RECEIVE_ILLEGAL_VECTOR);
            return false;
        }
        irr.set(vector);
        if (level) {
            tmr.set(vector);
        } else {
            tmr.clear(vector);
        }
        return true;
    }

    /** The highest pending vector the core may take now, or -1 (SDM 11.8.3: its class must exceed PPR's). */
    private int deliverable() {
        if (mode == ApicMode.DISABLED) {
            return -1;
        }
        int v = irr.highest();
        return v >= 0 && (v & 0xF0) > (processorPriority() & 0xF0) ? v : -1;
    }

    @Override
    public synchronized boolean hasInterrupt() {
        return deliverable() >= 0;
    }

    /** The INTA cycle: the deliverable vector moves from IRR to ISR; the spurious vector if none (SDM 11.9). */
    @Override
    public synchronized int acknowledge() {
        int v = deliverable();
        if (v < 0) {
            return regs[SVR] & 0xFF;
        }
        irr.clear(v);
        isr.set(v);
        return v;
    }

    /** EOI (SDM 11.8.5): retires the highest in-service vector; level-triggered ones are broadcast to I/O APICs. */
    private Runnable endOfInterrupt() {
        int v = isr.highest();
        if (v < 0) {
            return null;
        }
        isr.clear(v);
        if (tmr.get(v)) {
            IntConsumer listener = levelEoi;
            return () -> listener.accept(v);
        }
        return null;
    }

    /**
     * Whether a message for {@code destination} in the given destination mode reaches this APIC (SDM 11.6.2):
     * physical mode compares the APIC ID (or the broadcast ID); logical mode matches the LDR in the flat or
     * cluster model (DFR) in xAPIC mode, or the x2APIC cluster/bit layout.
     */
    public synchronized boolean matches(long destination, boolean logical) {
        boolean x2 = mode == ApicMode.X2APIC;
        long broadcast = x2 ? 0xFFFF_FFFFL : 0xFF;
        long dest = destination & broadcast;
        if (dest == broadcast) {
            return true;
        }
        if (!logical) {
            return dest == (id & 0xFFFF_FFFFL);
        }
        if (x2) {
            int ldr = x2apicLdr();
            return (dest >>> 16) == (ldr >>> 16) && (dest & ldr & 0xFFFF) != 0;
        }
        int ldr = regs[LDR] >>> 24;
        if ((regs[DFR] >>> 28) == 0xF) {
            return (dest & ldr) != 0; // flat model: one bit per APIC
        }
        return (dest >>> 4) == (ldr >>> 4) && (dest & ldr & 0xF) != 0; // cluster model
    }

    /** Sends the IPI in ICR (SDM 11.6.1); local deliveries happen now, the rest is returned to run unlocked. */
    private Runnable sendIpi() {
        int low = regs[ICR_LOW];
        boolean x2 = mode == ApicMode.X2APIC;
        int vector = low & 0xFF;
        int deliveryMode = low >> 8 & 7;
        boolean logical = (low & 1 << 11) != 0;
        int shorthand = low >> 18 & 3;
        long dest = x2 ? regs[ICR_HIGH] & 0xFFFF_FFFFL : regs[ICR_HIGH] >>> 24;
        boolean fixed = deliveryMode == Ipi.FIXED || deliveryMode == Ipi.LOWEST_PRIORITY;
        if (deliveryMode == 3 || deliveryMode == 7) {
            return null; // reserved delivery modes: nothing is sent
        }
        if (fixed && vector < 16) {
            error(ESR_SEND_ILLEGAL_VECTOR);
            return null;
        }
        boolean toSelf = switch (shorthand) {
            case Ipi.SELF, Ipi.ALL_INCLUDING_SELF -> true;
            case Ipi.ALL_EXCLUDING_SELF -> false;
            default -> matches(dest, logical);
        };
        boolean onlySelf = shorthand == Ipi.SELF
                || shorthand == Ipi.NO_SHORTHAND && !logical && dest == (id & 0xFFFF_FFFFL);
        if (fixed) {
            if (toSelf) {
                acceptLocked(vector, (low & 1 << 15) != 0);
            }
            if (onlySelf) {
                return null;
            }
        }
        // NMI, SMI, INIT and STARTUP go to the monitor even for this processor: it owns the vCPU's state.
        Ipi ipi = new Ipi(id, deliveryMode, vector, logical, dest, shorthand,
                (low & 1 << 14) != 0, (low & 1 << 15) != 0, x2);
        IpiSink sink = ipiSink;
        return () -> sink.send(ipi);
    }

    // ---------------------------------------------------------------- LINT0 / timer

    /**
     * Whether the 8259's INTR reaches the core through this APIC: always when the APIC is globally disabled
     * (SDM 11.4.3), otherwise when LINT0 is unmasked in ExtINT delivery mode (SDM 11.5.1).
     */
    public synchronized boolean extIntEnabled() {
        if (mode == ApicMode.DISABLED) {
            return true;
        }
        int lint0 = regs[LVT_LINT0];
        return (lint0 & LVT_MASK) == 0 && (lint0 >> 8 & 7) == 7;
    }

    /** When the timer can next raise an interrupt (Long.MAX_VALUE when stopped, masked or disabled). */
    public synchronized long nextEventNanos() {
        if (!enabled() || (regs[LVT_TIMER] & LVT_MASK) != 0) {
            return Long.MAX_VALUE;
        }
        return timer.nextEventNanos();
    }

    /** Lets the timer raise its vector into IRR if it expired by {@code now}. */
    public synchronized void poll(long now) {
        if (timer.poll(now) && (regs[LVT_TIMER] & LVT_MASK) == 0) {
            acceptLocked(regs[LVT_TIMER] & 0xFF, false);
        }
    }
}
