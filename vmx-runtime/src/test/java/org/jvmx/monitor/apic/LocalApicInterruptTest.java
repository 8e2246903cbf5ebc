package org.jvmx.monitor.apic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalApicInterruptTest {

    private final List<Ipi> sent = new ArrayList<>();
    private final List<Integer> levelEois = new ArrayList<>();
    private LocalApic apic;

    @BeforeEach
    void setUp() {
        apic = new LocalApic(0, true, new FakeNanos(), sent::add);
        apic.onLevelEoi(levelEois::add);
        apic.write(0xF0, 4, 0x1FF); // software enable, spurious vector 0xFF
    }

    private long rd(int offset) {
        return apic.read(offset, 4);
    }

    private void eoi() {
        apic.write(0xB0, 4, 0);
    }

    @Test
    void spuriousWhenNothingPending() {
        apic.write(0xF0, 4, 0x1E7);
        assertFalse(apic.hasInterrupt());
        assertEquals(0xE7, apic.acknowledge());
        assertEquals(0, rd(0x100 + 0x70), "the spurious vector does not enter ISR");
    }

    @Test
    void softwareDisabledDropsInterrupts() {
        apic.write(0xF0, 4, 0x0F7);
        apic.accept(0x50);
        assertFalse(apic.hasInterrupt());
        assertEquals(0xF7, apic.acknowledge());
    }

    @Test
    void irrIsrTmrRegisters() {
        apic.accept(0x21);
        apic.accept(0x85, true);
        assertEquals(1L << 1, rd(0x210));   // IRR 32..63
        assertEquals(1L << 5, rd(0x240));   // IRR 128..159
        assertEquals(1L << 5, rd(0x1C0));   // TMR 128..159
        assertEquals(0, rd(0x190));
        assertEquals(0x85, apic.acknowledge());
        assertEquals(1L << 5, rd(0x140));   // ISR 128..159
        assertEquals(0, rd(0x240));
    }

    @Test
    void highestVectorFirstAndNesting() {
        apic.accept(0x31);
        apic.accept(0x62);
        apic.accept(0x61);
        assertEquals(0x62, apic.acknowledge());
        assertEquals(0x60, rd(0xA0), "PPR = class of ISR");
        assertFalse(apic.hasInterrupt(), "0x61 is in the same class as 0x62");
        apic.accept(0x90);
        assertEquals(0x90, apic.acknowledge(), "a higher class nests");
        eoi();                                  // retires 0x90
        assertEquals(0x60, rd(0xA0));
        assertFalse(apic.hasInterrupt());
        eoi();                                  // retires 0x62
        assertEquals(0x61, apic.acknowledge());
        eoi();
        assertEquals(0x31, apic.acknowledge());
        eoi();
        assertFalse(apic.hasInterrupt());
        assertEquals(0, rd(0xA0));
        eoi(); // EOI with nothing in service is harmless
        assertTrue(levelEois.isEmpty());
    }

    @Test
    void tprBlocksLowerClasses() {
        apic.write(0x80, 4, 0x5F);
        assertEquals(0x5F, rd(0xA0));
        apic.accept(0x50);
        apic.accept(0x5F);
        assertFalse(apic.hasInterrupt(), "class 5 does not beat TPR class 5");
        assertEquals(0xFF, apic.acknowledge());
        apic.accept(0x60);
        assertEquals(0x60, apic.acknowledge());
        assertEquals(0x60, rd(0xA0), "ISR class above TPR");
        eoi();
        assertEquals(0x5F, rd(0xA0));
        apic.write(0x80, 4, 0x40);
        assertEquals(0x5F, apic.acknowledge());
        assertEquals(0x50, rd(0xA0));
        assertFalse(apic.hasInterrupt());
        eoi();
        assertEquals(0x50, apic.acknowledge());
    }

    @Test
    void arbitrationPriority() {
        apic.write(0x80, 4, 0x35);
        assertEquals(0x35, rd(0x90));
        apic.accept(0x70);
        assertEquals(0x70, rd(0x90));
    }

    @Test
    void levelEoiBroadcast() {
        apic.accept(0x41, true);
        apic.accept(0x42);
        assertEquals(0x42, apic.acknowledge());
        eoi();
        assertTrue(levelEois.isEmpty(), "edge EOI is not broadcast");
        assertEquals(0x41, apic.acknowledge());
        eoi();
        assertEquals(List.of(0x41), levelEois);
    }

    @Test
    void illegalVectorsRejected() {
        for (int v = 0; v < 16; v++) {
            apic.accept(v);
        }
        assertFalse(apic.hasInterrupt());
        apic.write(0x280, 4, 0);
        assertEquals(LocalApic.ESR_RECEIVE_ILLEGAL_VECTOR, rd(0x280));
        apic.accept(16);
        assertEquals(16, apic.acknowledge());
    }

    @Test
    void selfIpiByShorthandAndById() {
        apic.write(0x300, 4, 1 << 18 | 0x44);            // shorthand self
        assertEquals(0x44, apic.acknowledge());
        eoi();
        apic.write(0x310, 4, 0);                          // destination = own ID 0
        apic.write(0x300, 4, 0x45);
        assertEquals(0x45, apic.acknowledge());
        assertTrue(sent.isEmpty(), "self-only IPIs stay local");
        assertEquals(0, rd(0x300) & 1 << 12, "delivery status idle");
        assertEquals(0x45, rd(0x300));
    }

    @Test
    void x2apicSelfIpiRegister() {
        assertTrue(apic.writeApicBase(LocalApic.DEFAULT_BASE | LocalApic.BASE_ENABLE | LocalApic.BASE_EXTD));
        assertTrue(apic.writeMsr(0x83F, 0x99));
        assertEquals(0x99, apic.acknowledge());
        assertTrue(apic.writeMsr(0x80B, 0));
        assertTrue(apic.writeMsr(0x830, 0x4_0098L));      // ICR shorthand self
        assertEquals(0x98, apic.acknowledge());
        assertTrue(sent.isEmpty());
    }

    @Test
    void ipisToOthersGoToTheSink() {
        apic.write(0x310, 4, 5 << 24);
        apic.write(0x300, 4, 0x4031);                      // fixed, level assert, to APIC 5
        assertEquals(1, sent.size());
        Ipi ipi = sent.get(0);
        assertEquals(new Ipi(0, Ipi.FIXED, 0x31, false, 5, Ipi.NO_SHORTHAND, true, false, false), ipi);
        assertFalse(apic.hasInterrupt());

        sent.clear();
        apic.write(0x300, 4, 2 << 18 | 0x4032);            // all including self
        assertEquals(0x32, apic.acknowledge());
        assertEquals(Ipi.ALL_INCLUDING_SELF, sent.get(0).shorthand());

        sent.clear();
        apic.write(0x300, 4, 3 << 18 | 0x4033);            // all excluding self
        assertFalse(apic.hasInterrupt());
        assertEquals(Ipi.ALL_EXCLUDING_SELF, sent.get(0).shorthand());
    }

    @Test
    void initAndStartupReachTheSink() {
        apic.write(0x310, 4, 1 << 24);
        apic.write(0x300, 4, 0xC500);                      // INIT assert, level
        apic.write(0x300, 4, 0x0608);                      // SIPI, vector 8 (start at 0x8000)
        assertEquals(2, sent.size());
        assertEquals(Ipi.INIT, sent.get(0).deliveryMode());
        assertTrue(sent.get(0).assertLevel());
        assertEquals(Ipi.STARTUP, sent.get(1).deliveryMode());
        assertEquals(8, sent.get(1).vector());
        assertEquals(1, sent.get(1).destination());
    }

    @Test
    void broadcastReachesSelfAndOthers() {
        apic.write(0x310, 4, 0xFF << 24);
        apic.write(0x300, 4, 0x4050);
        assertEquals(0x50, apic.acknowledge());
        assertTrue(sent.get(0).broadcast());
    }

    @Test
    void logicalDestinations() {
        apic.write(0xD0, 4, 0x04 << 24);                   // flat model, bit 2
        assertTrue(apic.matches(0x04, true));
        assertTrue(apic.matches(0x0C, true));
        assertFalse(apic.matches(0x03, true));
        apic.write(0xE0, 4, 0x0FFF_FFFF);                  // cluster model
        apic.write(0xD0, 4, 0x32 << 24);                   // cluster 3, bit 1
        assertTrue(apic.matches(0x32, true));
        assertTrue(apic.matches(0x3A, true));
        assertFalse(apic.matches(0x22, true));
        assertFalse(apic.matches(0x31, true));
        apic.write(0x310, 4, 0x3A << 24);
        apic.write(0x300, 4, 0x4800 | 0x66);               // logical, fixed
        assertEquals(0x66, apic.acknowledge());
        assertEquals(1, sent.size(), "others in the cluster may match too");
    }

    @Test
    void initResetKeepsIdAndMode() {
        apic.write(0x20, 4, 7 << 24);
        apic.accept(0x40);
        apic.reset();
        assertEquals(7L << 24, rd(0x20));
        assertEquals(0xFF, rd(0xF0));
        assertFalse(apic.hasInterrupt());
    }
}
