package org.jvmx.monitor.devices;

import java.util.function.LongConsumer;

/**
 * A test-harness exit port: writing value v (1, 2 or 4 bytes) ends the guest with exit status {@code (v << 1) | 1},
 * which is never 0, so a harness can tell an explicit exit from a clean shutdown. Test kernels use it the way they
 * use the debug-exit device of other PC emulators. Reads return all ones.
 */
public final class DebugExit implements IoDevice {

    public static final int DEFAULT_PORT = 0xF4;

    private final int port;
    private final int width;
    private final LongConsumer onExit;

    /** Claims {@code width} (1, 2 or 4) ports from {@code port}; {@code onExit} receives the exit status. */
    public DebugExit(int port, int width, LongConsumer onExit) {
        if (width != 1 && width != 2 && width != 4) {
            throw new IllegalArgumentException("width " + width);
        }
        this.port = port;
        this.width = width;
        this.onExit = onExit;
    }

    public DebugExit(LongConsumer onExit) {
        this(DEFAULT_PORT, 4, onExit);
    }

    public DebugExit attach(IoBus bus) {
        bus.register(port, width, this);
        return this;
    }

    /** The status a write of {@code value} produces. */
    public static long status(long value) {
        return value << 1 | 1;
    }

    @Override
    public long read(int p, int size) {
        return IoDevice.allOnes(size);
    }

    @Override
    public void write(int p, int size, long value) {
        onExit.accept(status(value & IoDevice.allOnes(size)));
    }
}
