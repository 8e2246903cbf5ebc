package org.jvmx.monitor.devices;

/**
 * The PC/AT pair of cascaded 8259A interrupt controllers: the master at ports 0x20/0x21 serves IRQ 0-7, the slave
 * at 0xA0/0xA1 serves IRQ 8-15 and drives the master's IR2 (8259A datasheet, "Cascading"). Devices drive
 * {@link #line(int)}; the vCPU samples {@link #hasInterrupt()} and runs {@link #acknowledge()} as its INTA cycle.
 *
 * <p>If a request vanishes between INTR and INTA (a level line dropped, or a mask written in between), the chip
 * answers with its IR7 vector without setting an ISR bit: the spurious IRQ 7 (master) or IRQ 15 (slave; the master
 * then does have IR2 in service, so the guest must EOI the master only), as the datasheet specifies and Linux
 * handles in {@code mask_and_ack_8259A}.
 */
public final class Pic8259 implements ByteRegisterDevice, InterruptSource {

    public static final int MASTER_COMMAND = 0x20, MASTER_DATA = 0x21, SLAVE_COMMAND = 0xA0, SLAVE_DATA = 0xA1;
    public static final int CASCADE_IRQ = 2;
    /**
     * The edge/level control registers of PC chipsets (one bit per IRQ, 1 = level-triggered; Intel PIIX/ICH
     * datasheets, "ELCR1/ELCR2"), which ACPI kernels program for PCI interrupts. IRQ 0, 1, 2, 8 and 13 are always
     * edge-triggered; their bits read as 0.
     */
    public static final int ELCR_MASTER = 0x4D0, ELCR_SLAVE = 0x4D1;
    private static final int ELCR_MASTER_MASK = 0xF8, ELCR_SLAVE_MASK = 0xDE;

    private final PicChip master = new PicChip(true);
    private final PicChip slave = new PicChip(false);
    private final IrqLine[] lines = new IrqLine[16];
    private volatile Runnable onInterrupt = () -> { };
    private long spurious;

    public Pic8259() {
        for (int irq = 0; irq < 16; irq++) {
            int n = irq;
            lines[irq] = high -> setIrq(n, high);
        }
    }

    /** Registers ports 0x20-0x21, 0xA0-0xA1 and the ELCRs at 0x4D0-0x4D1. */
    public Pic8259 attach(IoBus bus) {
        bus.register(MASTER_COMMAND, 2, this);
        bus.register(SLAVE_COMMAND, 2, this);
        bus.register(ELCR_MASTER, 2, this);
        return this;
    }

    /**
     * Runs the initialization sequence a PC BIOS leaves behind (master vectors from {@code masterBase}, slave from
     * {@code slaveBase}, cascade on IR2, 8086 mode), then sets the 16-bit mask (slave in bits 15:8). For guests
     * started without firmware; a BIOS-booted PC has 0x08 and 0x70.
     */
    public synchronized void initialize(int masterBase, int slaveBase, int mask) {
        int[][] sequence = {{MASTER_COMMAND, 0x11}, {MASTER_DATA, masterBase}, {MASTER_DATA, 0x04},
                {MASTER_DATA, 0x01}, {SLAVE_COMMAND, 0x11}, {SLAVE_DATA, slaveBase}, {SLAVE_DATA, 0x02},
                {SLAVE_DATA, 0x01}, {MASTER_DATA, mask & 0xFF}, {SLAVE_DATA, mask >> 8 & 0xFF}};
        for (int[] w : sequence) {
            writeByte(w[0], w[1]);
        }
    }

    /** ISA IRQ line {@code irq} (0-15) into this pair. */
    public IrqLine line(int irq) {
        return lines[irq];
    }

    /**
     * Called (under the PIC's lock, so it must not call back into devices) whenever INTR may have become asserted:
     * the run loop uses it to wake a halted vCPU.
     */
    public void onInterrupt(Runnable r) {
        onInterrupt = r;
    }

    public synchronized void setIrq(int irq, boolean high) {
        if (irq < 8) {
            master.setLine(irq, high);
        } else {
            slave.setLine(irq - 8, high);
        }
        update();
    }

    @Override
    public synchronized boolean hasInterrupt() {
        return master.pendingIrq() >= 0;
    }

    @Override
    public synchronized int acknowledge() {
        int irq = master.pendingIrq();
        int vector;
        if (irq < 0) {
            spurious++;
            vector = master.vector(7);
        } else {
            master.acknowledge(irq);
            if (isCascade(irq)) {
                int s = slave.pendingIrq();
                if (s < 0) {
                    spurious++;
                    vector = slave.vector(7);
                } else {
                    slave.acknowledge(s);
                    vector = slave.vector(s);
                }
            } else {
                vector = master.vector(irq);
            }
        }
        update();
        return vector;
    }

    /** INTA cycles answered with a spurious IR7 vector. */
    public synchronized long spuriousCount() {
        return spurious;
    }

    /** IRR/ISR/IMR of both chips as 16-bit values (slave in bits 15:8), for the monitor's debug views and tests. */
    public synchronized int irr() {
        return master.irr | slave.irr << 8;
    }

    public synchronized int isr() {
        return master.isr | slave.isr << 8;
    }

    public synchronized int imr() {
        return master.imr | slave.imr << 8;
    }

    @Override
    public synchronized int readByte(int port) {
        int v = switch (port) {
            case MASTER_COMMAND -> master.readCommand();
            case MASTER_DATA -> master.readData();
            case SLAVE_COMMAND -> slave.readCommand();
            case SLAVE_DATA -> slave.readData();
            case ELCR_MASTER -> master.elcr;
            case ELCR_SLAVE -> slave.elcr;
            default -> 0xFF;
        };
        update(); // a poll read acknowledges
        return v;
    }

    @Override
    public synchronized void writeByte(int port, int value) {
        switch (port) {
            case MASTER_COMMAND -> master.writeCommand(value);
            case MASTER_DATA -> master.writeData(value);
            case SLAVE_COMMAND -> slave.writeCommand(value);
            case SLAVE_DATA -> slave.writeData(value);
            case ELCR_MASTER -> master.setElcr(value & ELCR_MASTER_MASK);
            case ELCR_SLAVE -> slave.setElcr(value & ELCR_SLAVE_MASK);
            default -> { }
        }
        update();
    }

    private boolean isCascade(int masterIrq) {
        // Single mode (ICW1 SNGL) has no slave; otherwise ICW3 says which inputs have one. The PC wires IR2.
        return !master.single && (master.cascade & (1 << masterIrq)) != 0;
    }

    /** The slave's INT output is the master's IR2 input; then tell the vCPU if INTR is up. */
    private void update() {
        master.setLine(CASCADE_IRQ, slave.pendingIrq() >= 0);
        if (master.pendingIrq() >= 0) {
            onInterrupt.run();
        }
    }
}
