package org.jvmx.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jvmx.monitor.apic.LocalApic;
import org.jvmx.translator.exec.Engine;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.ExitReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IPIs between the local APICs of a three-processor {@link Machine} (SDM Vol. 3A 11.6): written
 * to processor 0's ICR, routed to the destinations its mode and shorthand name.
 */
class MachineIpiTest {
    static final int SVR = 0xF0, LDR = 0xD0, DFR = 0xE0, ICR_LOW = 0x300, ICR_HIGH = 0x310;
    static final int LOGICAL = 1 << 11, SELF = 1 << 18, ALL_INCLUDING = 2 << 18, ALL_EXCLUDING = 3 << 18;
    static final int LOWEST = 1 << 8, INIT = 5 << 8, STARTUP = 6 << 8, ASSERT = 1 << 14;
    Machine m;

    @BeforeEach
    void setUp() {
        m = new Machine(4 << 20, b -> { }, Engine.Tier.INTERPRET, 3);
        for (int i = 0; i < 3; i++) m.localApic(i).write(SVR, 4, 0x1FF);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    void send(int destination, int low) {
        LocalApic a = m.localApic(0);
        a.write(ICR_HIGH, 4, (long) destination << 24);
        a.write(ICR_LOW, 4, low);
    }

    /** The processors whose APIC took {@code vector} (acknowledging it). */
    List<Integer> receivers(int vector) {
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            LocalApic a = m.localApic(i);
            if (a.hasInterrupt()) {
                assertEquals(vector, a.acknowledge(), "vector at APIC " + i);
                a.write(0xB0, 4, 0); // EOI
                r.add(i);
            }
        }
        return r;
    }

    @Test
    void physicalDestinationsAndBroadcast() {
        send(2, 0x40);
        assertEquals(List.of(2), receivers(0x40));
        send(1, 0x41);
        assertEquals(List.of(1), receivers(0x41));
        send(0xFF, 0x42);
        assertEquals(List.of(0, 1, 2), receivers(0x42));
        send(7, 0x43); // no such APIC: nobody
        assertEquals(List.of(), receivers(0x43));
    }

    @Test
    void shorthands() {
        send(2, SELF | 0x50);
        assertEquals(List.of(0), receivers(0x50));
        send(0, ALL_INCLUDING | 0x51);
        assertEquals(List.of(0, 1, 2), receivers(0x51));
        send(0, ALL_EXCLUDING | 0x52);
        assertEquals(List.of(1, 2), receivers(0x52));
    }

    @Test
    void logicalFlatAndClusterDestinations() {
        m.localApic(1).write(LDR, 4, 0x02L << 24);
        m.localApic(2).write(LDR, 4, 0x04L << 24);
        send(0x06, LOGICAL | 0x60);
        assertEquals(List.of(1, 2), receivers(0x60));
        send(0x04, LOGICAL | 0x61);
        assertEquals(List.of(2), receivers(0x61));
        for (int i = 0; i < 3; i++) m.localApic(i).write(DFR, 4, 0x0FFF_FFFFL); // cluster model
        m.localApic(1).write(LDR, 4, 0x11L << 24);
        m.localApic(2).write(LDR, 4, 0x12L << 24);
        send(0x13, LOGICAL | 0x62);
        assertEquals(List.of(1, 2), receivers(0x62));
        send(0x21, LOGICAL | 0x63); // cluster 2: nobody
        assertEquals(List.of(), receivers(0x63));
    }

    @Test
    void lowestPriorityReachesExactlyOne() {
        m.localApic(1).write(LDR, 4, 0x02L << 24);
        m.localApic(2).write(LDR, 4, 0x04L << 24);
        send(0x06, LOGICAL | LOWEST | 0x70);
        assertEquals(1, receivers(0x70).size());
        send(0, ALL_EXCLUDING | LOWEST | 0x71);
        assertEquals(1, receivers(0x71).size());
    }

    @Test
    void aSoftwareDisabledApicDropsFixedIpis() {
        m.localApic(2).write(SVR, 4, 0xFF);
        send(0, ALL_EXCLUDING | 0x58);
        assertEquals(List.of(1), receivers(0x58));
    }

    @Test
    void startupIpiExitsAnApWaitingForIt() {
        send(1, INIT | ASSERT); // blocked in wait-for-SIPI: no exit of its own
        send(1, STARTUP | 0x08);
        VmExit x = m.cpu(1).run();
        assertEquals(ExitReason.STARTUP_IPI, x.reason(), x.toString());
        assertEquals(0x08, x.qualification());
        assertFalse(m.localApic(1).hasInterrupt());
        assertTrue(m.exitCounts().isEmpty(), "the monitor saw no exit: the test ran the vCPU itself");
    }
}
