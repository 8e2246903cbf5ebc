package org.jvmx.monitor.devices;

import java.util.ArrayDeque;

/**
 * The PC/AT keyboard controller (Intel 8042 with IBM's firmware; IBM PC/AT technical reference, "Keyboard
 * Controller"): data port 0x60, status (read) / command (write) port 0x64, with a keyboard that answers the basic
 * keyboard commands. There is no auxiliary (mouse) device: the aux interface test (0xA9) reports a stuck clock line
 * and aux writes are dropped, which is how kernels find the port empty.
 *
 * <p>What kernels need from it: the reset line (command 0xFE, or 0xD1 with output-port bit 0 clear) runs the
 * {@code onReset} callback; the output port's A20 bit is readable through {@link #a20Enabled()}; the
 * controller configuration byte (0x20/0x60) and self-test (0xAA answers 0x55) behave as on the AT.
 */
public final class I8042 implements ByteRegisterDevice {

    public static final int DATA = 0x60, STATUS_COMMAND = 0x64, KBD_IRQ = 1, AUX_IRQ = 12;

    public static final int STATUS_OBF = 0x01, STATUS_IBF = 0x02, STATUS_SYS = 0x04, STATUS_CMD = 0x08,
            STATUS_UNLOCKED = 0x10, STATUS_AUX_OBF = 0x20;
    public static final int CFG_KBD_INT = 0x01, CFG_AUX_INT = 0x02, CFG_SYS = 0x04, CFG_KBD_DISABLE = 0x10,
            CFG_AUX_DISABLE = 0x20, CFG_TRANSLATE = 0x40;
    public static final int OUT_RESET = 0x01, OUT_A20 = 0x02;

    private static final int AUX = 0x100; // marks a queued byte as coming from the aux port

    private final IrqLine kbdIrq;
    private final Runnable onReset;
    private final ArrayDeque<Integer> output = new ArrayDeque<>();
    private int config = CFG_KBD_INT | CFG_SYS | CFG_AUX_DISABLE | CFG_TRANSLATE; // as firmware leaves it
    private int outputPort = OUT_RESET | OUT_A20;
    private int lastRead;
    private boolean lastWriteWasCommand;
    private int pendingController = -1; // controller command awaiting its data byte
    private int pendingKeyboard = -1;   // keyboard command awaiting its argument
    private boolean kbdEnabled = true;
    private boolean irqLevel;
    private long resets;

    public I8042(IrqLine kbdIrq, Runnable onReset) {
        this.kbdIrq = kbdIrq;
        this.onReset = onReset;
    }

    /** Registers ports 0x60 and 0x64. */
    public I8042 attach(IoBus bus) {
        bus.register(DATA, 1, this);
        bus.register(STATUS_COMMAND, 1, this);
        return this;
    }

    // ---- host side

    /** Scan codes from the host keyboard (as the controller passes them to the guest, after any translation). */
    public synchronized void keyboardInput(byte[] scanCodes) {
        if (!kbdEnabled) {
            return;
        }
        for (byte b : scanCodes) {
            output.add(b & 0xFF);
        }
        update();
    }

    public synchronized boolean a20Enabled() {
        return (outputPort & OUT_A20) != 0;
    }

    public synchronized int configByte() {
        return config;
    }

    /** Reset pulses requested by the guest. */
    public synchronized long resetCount() {
        return resets;
    }

    // ---- registers

    @Override
    public synchronized int readByte(int port) {
        if (port == STATUS_COMMAND) {
            int s = STATUS_UNLOCKED | (config & CFG_SYS) | (lastWriteWasCommand ? STATUS_CMD : 0);
            Integer head = output.peek();
            if (head != null) {
                s |= STATUS_OBF | ((head & AUX) != 0 ? STATUS_AUX_OBF : 0);
            }
            return s;
        }
        Integer b = output.poll();
        if (b != null) {
            lastRead = b & 0xFF;
        }
        update();
        return lastRead; // an empty buffer reads its last value again
    }

    @Override
    public synchronized void writeByte(int port, int value) {
        value &= 0xFF;
        if (port == STATUS_COMMAND) {
            lastWriteWasCommand = true;
            pendingController = -1;
            command(value);
        } else {
            lastWriteWasCommand = false;
            if (pendingController >= 0) {
                int c = pendingController;
                pendingController = -1;
                commandData(c, value);
            } else {
                keyboard(value);
            }
        }
        update();
    }

    /** Controller commands written to port 0x64. */
    private void command(int c) {
        switch (c) {
            case 0x20 -> reply(config);
            case 0x60, 0xD1, 0xD2, 0xD3, 0xD4 -> pendingController = c;
            case 0xA7 -> config |= CFG_AUX_DISABLE;
            case 0xA8 -> config &= ~CFG_AUX_DISABLE;
            case 0xA9 -> reply(0x02); // aux clock line stuck low: no aux device
            case 0xAA -> {
                config |= CFG_SYS;
                reply(0x55);
            }
            case 0xAB -> reply(0x00);
            case 0xAD -> config |= CFG_KBD_DISABLE;
            case 0xAE -> config &= ~CFG_KBD_DISABLE;
            case 0xC0 -> reply(0x80); // input port: keyboard not inhibited
            case 0xD0 -> reply(outputPort);
            case 0xDD -> outputPort &= ~OUT_A20;
            case 0xDF -> outputPort |= OUT_A20;
            default -> {
                if (c >= 0x21 && c <= 0x3F) {
                    reply(0x00); // controller RAM other than the configuration byte
                } else if (c >= 0x61 && c <= 0x7F) {
                    pendingController = c;
                } else if (c >= 0xF0 && (c & OUT_RESET) == 0) {
                    reset(); // pulse output port bits whose mask bit is 0: bit 0 is the CPU reset line
                }
            }
        }
    }

    private void commandData(int c, int v) {
        switch (c) {
            case 0x60 -> config = v;
            case 0xD1 -> {
                outputPort = v;
                if ((v & OUT_RESET) == 0) {
                    reset();
                }
            }
            case 0xD2 -> output.add(v);
            default -> { } // 0xD3/0xD4: no aux device; 0x61-0x7F: controller RAM nobody reads
        }
    }

    /** Keyboard commands written to port 0x60 (IBM PC/AT technical reference, "Commands to the Keyboard"). */
    private void keyboard(int v) {
        if (pendingKeyboard >= 0) {
            int c = pendingKeyboard;
            pendingKeyboard = -1;
            reply(0xFA);
            if (c == 0xF0 && v == 0) {
                reply(0x02); // current scan code set
            }
            return;
        }
        switch (v) {
            case 0xFF -> {
                reply(0xFA);
                reply(0xAA); // basic assurance test passed
            }
            case 0xF2 -> {
                reply(0xFA);
                reply(0xAB);
                reply(0x83); // MF2 keyboard identity
            }
            case 0xEE -> reply(0xEE);
            case 0xED, 0xF3, 0xF0 -> {
                pendingKeyboard = v;
                reply(0xFA);
            }
            case 0xF4 -> {
                kbdEnabled = true;
                reply(0xFA);
            }
            case 0xF5 -> {
                kbdEnabled = false;
                reply(0xFA);
            }
            default -> reply(0xFA);
        }
    }

    private void reply(int b) {
        output.add(b & 0xFF);
    }

    private void reset() {
        resets++;
        onReset.run();
    }

    /** IRQ1 follows "keyboard byte in the output buffer" while the configuration byte enables it. */
    private void update() {
        Integer head = output.peek();
        boolean level = head != null && (head & AUX) == 0 && (config & CFG_KBD_INT) != 0;
        if (level != irqLevel) {
            irqLevel = level;
            kbdIrq.set(level);
        }
    }
}
