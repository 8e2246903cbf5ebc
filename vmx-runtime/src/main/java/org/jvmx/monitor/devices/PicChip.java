package org.jvmx.monitor.devices;

/**
 * The register logic of one Intel 8259A programmable interrupt controller (8259A datasheet: "Initialization
 * Command Words", "Operation Command Words", "Interrupt Sequence"). Not thread-safe on its own: {@link Pic8259}
 * owns two chips and serializes every access.
 *
 * <p>Priorities are kept as "lowest-priority level": with the power-on value 7, IR0 is highest and IR7 lowest
 * (fully nested mode); rotation commands move it.
 */
final class PicChip {

    /** ICW1: bit 4 set on a write to the command port (A0 = 0) starts initialization. */
    static final int ICW1 = 0x10, ICW1_IC4 = 0x01, ICW1_SNGL = 0x02, ICW1_LTIM = 0x08;
    /** ICW4 bits. */
    static final int ICW4_UPM = 0x01, ICW4_AEOI = 0x02, ICW4_SFNM = 0x10;
    /** A command-port write with bit 3 set (and bit 4 clear) is OCW3, otherwise OCW2. */
    static final int OCW3 = 0x08, OCW3_RR = 0x02, OCW3_RIS = 0x01, OCW3_POLL = 0x04, OCW3_ESMM = 0x40,
            OCW3_SMM = 0x20;

    final boolean master;

    int irr;          // interrupt request register (latched requests)
    int isr;          // in-service register
    int imr;          // interrupt mask register (OCW1)
    int lineLevels;   // current level of the eight IR inputs, for edge detection
    int vectorBase;   // ICW2 bits 7:3
    int cascade;      // ICW3: master = bitmap of inputs with a slave; slave = its identity 0..7
    int lowestPriority = 7;
    int elcr;         // edge/level control register of PC chipsets: 1 = that input is level-triggered
    boolean levelTriggered, autoEoi, rotateInAutoEoi, specialMask, specialFullyNested, single, needIcw4;
    boolean readIsr;  // OCW3 RR/RIS: which register a command-port read returns
    boolean pollPending;
    int initStep;     // 0 = initialized; 2, 3, 4 = expecting that ICW next on the data port

    PicChip(boolean master) {
        this.master = master;
    }

    // ---- the IR inputs

    /** Drives input {@code irq}; a rising edge (or a high level in level-triggered mode) sets its IRR bit. */
    void setLine(int irq, boolean high) {
        int bit = 1 << irq;
        if (isLevel(bit)) {
            irr = high ? irr | bit : irr & ~bit;
        } else if (high && (lineLevels & bit) == 0) {
            irr |= bit;
        }
        lineLevels = high ? lineLevels | bit : lineLevels & ~bit;
    }

    // ---- priority resolution ("Priority Resolver")

    /** The level of {@code mask} with the highest priority under the current rotation, or -1. */
    int highest(int mask) {
        if (mask == 0) {
            return -1;
        }
        for (int k = 1; k <= 8; k++) {
            int irq = (lowestPriority + k) & 7;
            if ((mask & (1 << irq)) != 0) {
                return irq;
            }
        }
        return -1;
    }

    /** Rank in the current rotation: 0 is the highest priority. */
    private int rank(int irq) {
        return (irq - lowestPriority - 1) & 7;
    }

    /**
     * The request the chip would present on INT, or -1. A request is presented only if its priority is higher than
     * every level in service, except that special mask mode lets masked in-service levels not block, and special
     * fully nested mode lets a slave's further requests through the master's in-service cascade input.
     */
    int pendingIrq() {
        int pending = irr & ~imr;
        int req = highest(pending);
        if (req < 0) {
            return -1;
        }
        int blocking = isr;
        if (specialMask) {
            blocking &= ~imr;
        }
        if (master && specialFullyNested) {
            blocking &= ~cascade;
        }
        int inService = highest(blocking);
        if (inService >= 0 && rank(inService) <= rank(req)) {
            return -1;
        }
        return req;
    }

    /** Second INTA pulse for {@code irq}: IRR to ISR (or not, in automatic EOI mode). */
    void acknowledge(int irq) {
        int bit = 1 << irq;
        if (!isLevel(bit)) {
            irr &= ~bit; // a level-triggered request stays in IRR while its line is high
        }
        if (autoEoi) {
            if (rotateInAutoEoi) {
                lowestPriority = irq;
            }
        } else {
            isr |= bit;
        }
    }

    /** Inputs switched to level sensing request exactly while their line is high. */
    void setElcr(int mask) {
        elcr = mask;
        if (!levelTriggered) {
            irr = irr & ~mask | lineLevels & mask;
        }
    }

    private boolean isLevel(int bit) {
        return levelTriggered || (elcr & bit) != 0;
    }

    int vector(int irq) {
        return (vectorBase & 0xF8) | irq;
    }

    // ---- register access

    void writeCommand(int v) {
        if ((v & ICW1) != 0) {
            icw1(v);
        } else if ((v & OCW3) != 0) {
            ocw3(v);
        } else {
            ocw2(v);
        }
    }

    void writeData(int v) {
        switch (initStep) {
            case 2 -> {
                vectorBase = v & 0xF8;
                initStep = single ? (needIcw4 ? 4 : 0) : 3;
            }
            case 3 -> {
                cascade = master ? v : v & 7;
                initStep = needIcw4 ? 4 : 0;
            }
            case 4 -> {
                autoEoi = (v & ICW4_AEOI) != 0;
                specialFullyNested = (v & ICW4_SFNM) != 0;
                initStep = 0;
            }
            default -> imr = v & 0xFF; // OCW1
        }
    }

    int readCommand() {
        if (pollPending) {
            // Poll command (OCW3 P = 1): the next read is the poll word and acts as an INTA.
            pollPending = false;
            int irq = pendingIrq();
            if (irq < 0) {
                return 0x00;
            }
            acknowledge(irq);
            return 0x80 | irq;
        }
        return readIsr ? isr : irr;
    }

    int readData() {
        return imr;
    }

    /**
     * ICW1 resets the chip: edge sense circuit cleared (a request needs a new rising edge), IMR cleared, IR7 lowest
     * priority, special mask mode off, status read set to IRR; without IC4 every ICW4 function is zero.
     */
    private void icw1(int v) {
        levelTriggered = (v & ICW1_LTIM) != 0;
        single = (v & ICW1_SNGL) != 0;
        needIcw4 = (v & ICW1_IC4) != 0;
        irr = lineLevels & (levelTriggered ? 0xFF : elcr);
        isr = 0;
        imr = 0;
        lowestPriority = 7;
        specialMask = false;
        readIsr = false;
        pollPending = false;
        autoEoi = false;
        rotateInAutoEoi = false;
        specialFullyNested = false;
        initStep = 2;
    }

    /** OCW2: R, SL, EOI in bits 7:5, level in bits 2:0 (8259A datasheet, "Operation Command Word 2"). */
    private void ocw2(int v) {
        int level = v & 7;
        switch ((v >> 5) & 7) {
            case 0b001 -> nonSpecificEoi(false);
            case 0b011 -> isr &= ~(1 << level);
            case 0b101 -> nonSpecificEoi(true);
            case 0b100 -> rotateInAutoEoi = true;
            case 0b000 -> rotateInAutoEoi = false;
            case 0b111 -> {
                isr &= ~(1 << level);
                lowestPriority = level;
            }
            case 0b110 -> lowestPriority = level;
            default -> { } // 0b010: no operation
        }
    }

    private void nonSpecificEoi(boolean rotate) {
        int mask = isr;
        if (specialMask) {
            mask &= ~imr;   // in special mask mode, EOI applies to the highest unmasked in-service level
        }
        int irq = highest(mask);
        if (irq >= 0) {
            isr &= ~(1 << irq);
            if (rotate) {
                lowestPriority = irq;
            }
        }
    }

    private void ocw3(int v) {
        if ((v & OCW3_ESMM) != 0) {
            specialMask = (v & OCW3_SMM) != 0;
        }
        if ((v & OCW3_RR) != 0) {
            readIsr = (v & OCW3_RIS) != 0;
        }
        pollPending = (v & OCW3_POLL) != 0;
    }
}
