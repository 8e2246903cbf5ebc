package org.jvmx.monitor.devices;

import java.time.Clock;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The legacy PC devices wired as on an AT-compatible board: the 8259A pair, 8254 PIT on IRQ0 (and port 0x61),
 * 8042 on IRQ1, COM1 on IRQ4, RTC/CMOS on IRQ8, plus the POST port 0x80, port 0x92 and the debug-exit port, all on
 * one {@link IoBus}. The run loop asks {@link #nextEventNanos()} when a timer can next interrupt, calls
 * {@link #poll(long)} then, and feeds {@link #pic()}'s INTR/INTA to the vCPU.
 *
 * <p>Callbacks ({@code onReset}, {@code onExit}, the serial sink, {@link Pic8259#onInterrupt}) run on the vCPU or
 * run-loop thread that caused them, while the device's lock is held: they must record the event and return, never
 * call back into the devices.
 */
public final class PcPlatform {

    private final LongSupplier nanos;
    private final IoBus bus = new IoBus();
    private final Pic8259 pic = new Pic8259();
    private final Pit8254 pit;
    private final Uart16550 com1;
    private final CmosRtc rtc;
    private final I8042 kbc;
    private final PostCode post = new PostCode();
    private final SystemControlA port92;
    private final DebugExit debugExit;

    /**
     * @param nanos      monotonic time for the PIT (and the run loop's deadlines), in nanoseconds
     * @param clock      wall-clock time for the RTC
     * @param serialOut  receives each byte the guest sends on COM1
     * @param onReset    the guest pulsed the CPU reset line (8042 or port 0x92)
     * @param onExit     the guest wrote the debug-exit port; receives the exit status
     */
    public PcPlatform(LongSupplier nanos, Clock clock, IntConsumer serialOut, Runnable onReset, LongConsumer onExit) {
        this.nanos = nanos;
        pic.attach(bus);
        pit = new Pit8254(nanos, pic.line(0)).attach(bus);
        kbc = new I8042(pic.line(I8042.KBD_IRQ), onReset).attach(bus);
        com1 = new Uart16550(Uart16550.COM1, pic.line(Uart16550.COM1_IRQ), serialOut).attach(bus);
        rtc = new CmosRtc(clock, pic.line(CmosRtc.IRQ)).attach(bus);
        post.attach(bus);
        port92 = new SystemControlA(onReset).attach(bus);
        debugExit = new DebugExit(onExit).attach(bus);
    }

    public IoBus bus() {
        return bus;
    }

    public Pic8259 pic() {
        return pic;
    }

    public Pit8254 pit() {
        return pit;
    }

    public Uart16550 com1() {
        return com1;
    }

    public CmosRtc rtc() {
        return rtc;
    }

    public I8042 keyboardController() {
        return kbc;
    }

    public PostCode postCode() {
        return post;
    }

    public SystemControlA port92() {
        return port92;
    }

    public DebugExit debugExit() {
        return debugExit;
    }

    /** The earliest time (in {@code nanos}' scale) at which a timer may raise an interrupt; Long.MAX_VALUE if none. */
    public long nextEventNanos() {
        long now = nanos.getAsLong();
        long rtcDelay = rtc.nanosUntilNextEvent();
        long rtcAt = rtcDelay == Long.MAX_VALUE ? Long.MAX_VALUE : now + rtcDelay;
        return Math.min(pit.nextEventNanos(), rtcAt);
    }

    /** Lets the timers raise the interrupts that are due at {@code now}. */
    public void poll(long now) {
        pit.poll(now);
        rtc.poll();
    }
}
