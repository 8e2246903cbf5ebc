package org.jvmx.monitor.devices;

/**
 * System control port A at 0x92 ("fast A20 and reset", IBM PS/2 and every PC chipset since): bit 1 gates A20, and
 * a 0-to-1 transition of bit 0 resets the CPU. The other bits read as written.
 */
public final class SystemControlA implements ByteRegisterDevice {

    public static final int PORT = 0x92, FAST_RESET = 0x01, A20 = 0x02;

    private final Runnable onReset;
    private int value = A20;

    public SystemControlA(Runnable onReset) {
        this.onReset = onReset;
    }

    public SystemControlA attach(IoBus bus) {
        bus.register(PORT, 1, this);
        return this;
    }

    public synchronized boolean a20Enabled() {
        return (value & A20) != 0;
    }

    @Override
    public synchronized int readByte(int port) {
        return value;
    }

    @Override
    public synchronized void writeByte(int port, int v) {
        boolean resetEdge = (v & FAST_RESET) != 0 && (value & FAST_RESET) == 0;
        value = v & 0xFF & ~FAST_RESET; // the reset bit is a pulse, read back as 0 afterwards
        if (resetEdge) {
            onReset.run();
        }
    }
}
