package org.jvmx.monitor.apic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The I/O APIC's messages on a machine with several local APICs: physical, logical and lowest-priority destinations. */
class IoApicRoutingTest {
    final List<LocalApic> apics = new ArrayList<>();
    final List<Integer> woken = new ArrayList<>();
    final IoApic io;

    IoApicRoutingTest() {
        for (int i = 0; i < 3; i++) {
            LocalApic a = new LocalApic(i, i == 0, () -> 0L, IpiSink.NONE);
            a.write(0xF0, 4, 0x1FF);
            apics.add(a);
        }
        io = new IoApic(apics);
        io.onAccepted(woken::add);
    }

    void route(int pin, long entry) {
        io.write(IoApic.IOREGSEL, 4, IoApic.REG_REDIRECTION + 2 * pin);
        io.write(IoApic.IOWIN, 4, entry & 0xFFFF_FFFFL);
        io.write(IoApic.IOREGSEL, 4, IoApic.REG_REDIRECTION + 2 * pin + 1);
        io.write(IoApic.IOWIN, 4, entry >>> 32);
    }

    /** Raises and lowers the pin (one edge); returns the APICs that took {@code vector}. */
    List<Integer> pulse(int pin, int vector) {
        woken.clear();
        io.line(pin).set(true);
        io.line(pin).set(false);
        List<Integer> r = new ArrayList<>();
        for (int i = 0; i < apics.size(); i++) {
            if (apics.get(i).hasInterrupt()) {
                assertEquals(vector, apics.get(i).acknowledge());
                apics.get(i).write(0xB0, 4, 0);
                r.add(i);
            }
        }
        assertEquals(r, woken, "the listener hears of every acceptance");
        return r;
    }

    @Test
    void physicalLogicalAndLowestPriority() {
        route(3, 0x33 | 2L << 56);
        assertEquals(List.of(2), pulse(3, 0x33));
        route(3, 0x34 | 0xFFL << 56);
        assertEquals(List.of(0, 1, 2), pulse(3, 0x34));
        apics.get(0).write(0xD0, 4, 0x01L << 24);
        apics.get(1).write(0xD0, 4, 0x02L << 24);
        apics.get(2).write(0xD0, 4, 0x04L << 24);
        route(4, 0x40 | IoApic.DEST_LOGICAL | 0x06L << 56);
        assertEquals(List.of(1, 2), pulse(4, 0x40));
        route(4, 0x41 | 1L << 8 | IoApic.DEST_LOGICAL | 0x06L << 56); // lowest priority
        assertEquals(List.of(1), pulse(4, 0x41));
    }
}
