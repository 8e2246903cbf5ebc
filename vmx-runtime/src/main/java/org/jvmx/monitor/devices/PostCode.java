package org.jvmx.monitor.devices;

/**
 * Port 0x80, the POST diagnostic port: firmware writes progress codes to it and kernels write to it as an I/O delay
 * ({@code outb_p}). The write is accepted and remembered for debugging; a read returns the last code written.
 */
public final class PostCode implements ByteRegisterDevice {

    public static final int PORT = 0x80;

    private volatile int last;

    public PostCode attach(IoBus bus) {
        bus.register(PORT, 1, this);
        return this;
    }

    public int lastCode() {
        return last;
    }

    @Override
    public int readByte(int port) {
        return last;
    }

    @Override
    public void writeByte(int port, int value) {
        last = value & 0xFF;
    }
}
