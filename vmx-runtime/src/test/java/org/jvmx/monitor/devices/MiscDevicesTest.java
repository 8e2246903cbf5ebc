package org.jvmx.monitor.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MiscDevicesTest {

    @Test
    void debugExitReportsShiftedStatusForEverySize() {
        List<Long> statuses = new ArrayList<>();
        IoBus bus = new IoBus();
        new DebugExit(statuses::add).attach(bus);
        bus.write(0xF4, 1, 0x00);
        bus.write(0xF4, 1, 0x10);
        bus.write(0xF4, 2, 0x1234);
        bus.write(0xF4, 4, 0xFFFF_FFFFL);
        assertEquals(List.of(1L, 0x21L, 0x2469L, 0x1_FFFF_FFFFL), statuses);
        assertEquals(0xFFL, bus.read(0xF4, 1));
        assertEquals(0x21, DebugExit.status(0x10));
    }

    @Test
    void debugExitAtAnotherPortAndWidth() {
        List<Long> statuses = new ArrayList<>();
        IoBus bus = new IoBus();
        new DebugExit(0x501, 2, statuses::add).attach(bus);
        bus.write(0x501, 2, 3);
        assertEquals(List.of(7L), statuses);
        bus.write(0x503, 1, 3);
        assertEquals(1, bus.unknownWrites(0x503));
        assertThrows(IllegalArgumentException.class, () -> new DebugExit(0x501, 3, s -> { }));
    }

    @Test
    void postCodeIsRememberedAndReadBack() {
        IoBus bus = new IoBus();
        PostCode post = new PostCode().attach(bus);
        bus.write(0x80, 1, 0x3C);
        assertEquals(0x3C, post.lastCode());
        assertEquals(0x3CL, bus.read(0x80, 1));
    }

    @Test
    void port92FastA20AndReset() {
        int[] resets = {0};
        IoBus bus = new IoBus();
        SystemControlA a = new SystemControlA(() -> resets[0]++).attach(bus);
        assertTrue(a.a20Enabled());
        bus.write(0x92, 1, 0x00);
        assertFalse(a.a20Enabled());
        assertEquals(0, bus.read(0x92, 1));
        bus.write(0x92, 1, 0x03);
        assertEquals(1, resets[0]);
        assertTrue(a.a20Enabled());
        assertEquals(0x02L, bus.read(0x92, 1));
    }

    @Test
    void irqLinePulseIsOneRisingEdge() {
        RecordingLine l = new RecordingLine();
        l.pulse();
        assertEquals(1, l.takeEdges());
        assertFalse(l.high);
        IrqLine.NONE.pulse();
    }
}
