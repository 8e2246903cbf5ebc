package org.jvmx.vmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.LongUnaryOperator;
import org.jvmx.vmx.Descriptors.DescriptorException;
import org.jvmx.vmx.Descriptors.Gate;
import org.jvmx.vmx.Descriptors.Segment;
import org.jvmx.vmx.Descriptors.SystemDescriptor;
import org.jvmx.vmx.Descriptors.SystemSegment;
import org.jvmx.vmx.Descriptors.Wide;
import org.junit.jupiter.api.Test;

class DescriptorsTest {

    private static final long SEED = 0x6a766d78L;

    /**
     * A TSS descriptor built by hand from its parts, bit by bit per SDM Vol. 3A Figure 7-4,
     * independently of the code under test.
     */
    private static Wide tss(long base0, long base1, long base2, long base3, int type) {
        long low = 0x67L                       // limit 15:0
                | (base0 & 0xFFFF) << 16        // base 15:0
                | (base1 & 0xFF) << 32          // base 23:16
                | (long) type << 40 | 1L << 47  // type, S = 0, DPL 0, P
                | (base2 & 0xFF) << 56;         // base 31:24
        return new Wide(low, base3 & 0xFFFF_FFFFL);
    }

    /** A table in a map of quadwords at absolute addresses, read through {@link Descriptors#table}. */
    private static LongUnaryOperator memory(Map<Long, Long> m) {
        return a -> {
            Long v = m.get(a);
            if (v == null) throw new AssertionError("read outside the table at 0x" + Long.toHexString(a));
            return v;
        };
    }

    // ---- the HOST_TR_BASE bug

    @Test
    void tssBaseWithHighBase2KeepsBase3() {
        Wide w = tss(0x5000, 0xd6, 0xf8, 0xfffffe7cL, Descriptors.TYPE_TSS_BUSY);
        SystemSegment s = SystemSegment.decode(w.low(), w.high());
        assertEquals(0xfffffe7cf8d65000L, s.base());
        assertEquals(0x67, s.limit());
        assertEquals(Descriptors.TYPE_TSS_BUSY, s.type());

        Map<Long, Long> gdt = new HashMap<>();
        long gdtBase = 0xfffffe0000001000L;
        gdt.put(gdtBase + 0x40, w.low());
        gdt.put(gdtBase + 0x48, w.high());
        assertEquals(0xfffffe7cf8d65000L, Descriptors.trBase(Descriptors.table(memory(gdt), gdtBase), 0x7f, 0x40));
    }

    @Test
    void everyBase2KeepsBase3Exactly() {
        Random r = new Random(SEED);
        long[] base3s = {0, 0xffffffffL, 0xfffffe7cL, 0x7fffffffL, 0x80000000L, 1, r.nextInt() & 0xffffffffL,
                r.nextInt() & 0xffffffffL, r.nextInt() & 0xffffffffL};
        for (int base2 = 0; base2 <= 0xff; base2++) {
            for (long base3 : base3s) {
                long base0 = r.nextInt(0x10000), base1 = r.nextInt(0x100);
                int type = r.nextBoolean() ? Descriptors.TYPE_TSS_AVAILABLE : Descriptors.TYPE_TSS_BUSY;
                Wide w = tss(base0, base1, base2, base3, type);
                long expected = base3 << 32 | (long) base2 << 24 | base1 << 16 | base0;
                String what = String.format("base2=%02x base3=%08x", base2, base3);

                long base = SystemSegment.decode(w.low(), w.high()).base();
                assertEquals(base3, base >>> 32, what);
                assertEquals(expected, base, what);
                assertEquals(expected, ((SystemSegment) SystemDescriptor.decode(w.low(), w.high())).base(), what);

                LongUnaryOperator gdt = off -> off == 0x18 ? w.low() : off == 0x20 ? w.high() : 0;
                assertEquals(expected, Descriptors.trBase(gdt, 0x27, 0x18), what);
                assertEquals(w, new SystemSegment(expected, 0x67, type, 0, true, false, false).encode(), what);
            }
        }
    }

    // ---- 8-byte code/data descriptors

    @Test
    void decodesKnownFlatCodeAndDataDescriptors() {
        Segment code64 = Segment.decode(0x00af9b000000ffffL);
        assertEquals(new Segment(0, 0xffffffffL, 0xb, true, 0, true, false, true, false, true), code64);
        assertEquals(0xa09b, code64.accessRights());
        assertEquals(0xfffff, code64.rawLimit());

        Segment data = Segment.decode(0x00cff3000000ffffL);
        assertEquals(3, data.dpl());
        assertTrue(data.db());
        assertFalse(data.l());
        assertEquals(0xc0f3, data.accessRights());

        // base 31:24 = 0xff: must stay a 32-bit unsigned base.
        Segment high = Segment.decode(0xff4093123456ffffL);
        assertEquals(0xff123456L, high.base());
        assertEquals(0xffffL, high.limit());
    }

    @Test
    void limitScalingWithG() {
        // raw 0x00001, G = 0: 1 byte past 0; G = 1: 2 pages minus 1.
        long g0 = 0x0000_9300_0000_0001L, g1 = g0 | 1L << 55;
        assertEquals(1, Segment.decode(g0).limit());
        assertEquals(0x1fffL, Segment.decode(g1).limit());
        assertEquals(0xfffffL, Segment.decode(0x000f_9300_0000_ffffL).limit());
        assertEquals(0xffffffffL, Segment.decode(0x008f_9300_0000_ffffL).limit());
        assertEquals(0xfffL, Segment.decode(0x0080_9300_0000_0000L).limit());

        assertThrows(IllegalArgumentException.class, () -> new Segment(0, 0x1000, 3, true, 0, true, false, false, false, true));
        assertThrows(IllegalArgumentException.class, () -> new Segment(0, 0x100000, 3, true, 0, true, false, false, false, false));
        assertThrows(IllegalArgumentException.class, () -> new Segment(1L << 32, 0, 3, true, 0, true, false, false, false, false));
    }

    @Test
    void randomCodeDataRoundTrips() {
        Random r = new Random(SEED);
        for (int i = 0; i < 20_000; i++) {
            boolean g = r.nextBoolean();
            long raw = r.nextInt(0x100000);
            long limit = g ? raw << 12 | 0xfff : raw;
            Segment s = new Segment(r.nextInt() & 0xffffffffL, limit, r.nextInt(16), r.nextBoolean(), r.nextInt(4),
                    r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), g);
            long d = s.encode();
            assertEquals(s, Segment.decode(d));
            assertEquals(raw, s.rawLimit());
            assertEquals(d, Segment.decode(d).encode());
            assertEquals(s.accessRights(), Descriptors.accessRights(d));
        }
        // Any 64-bit pattern decodes and re-encodes to itself (an 8-byte descriptor has no reserved bits).
        for (int i = 0; i < 20_000; i++) {
            long d = r.nextLong();
            assertEquals(d, Segment.decode(d).encode(), Long.toHexString(d));
        }
    }

    // ---- 16-byte system descriptors

    @Test
    void randomSystemSegmentRoundTrips() {
        Random r = new Random(SEED + 1);
        int[] types = {Descriptors.TYPE_LDT, Descriptors.TYPE_TSS_AVAILABLE, Descriptors.TYPE_TSS_BUSY};
        for (int i = 0; i < 20_000; i++) {
            boolean g = r.nextBoolean();
            long raw = r.nextInt(0x100000);
            SystemSegment s = new SystemSegment(r.nextLong(), g ? raw << 12 | 0xfff : raw, types[r.nextInt(3)],
                    r.nextInt(4), r.nextBoolean(), r.nextBoolean(), g);
            Wide w = s.encode();
            assertEquals(s, SystemDescriptor.decode(w.low(), w.high()));
            assertEquals(0, w.high() >>> 32);
            assertEquals(0, w.low() & (1L << 44 | 1L << 53 | 1L << 54));
            assertEquals(s.accessRights(), Descriptors.accessRights(w.low()));
            assertEquals(s, SystemSegment.fromVmcs(s.base(), s.limit(), s.accessRights()));
        }
    }

    @Test
    void randomGateRoundTrips() {
        Random r = new Random(SEED + 2);
        int[] types = {Descriptors.TYPE_CALL_GATE, Descriptors.TYPE_INTERRUPT_GATE, Descriptors.TYPE_TRAP_GATE};
        for (int i = 0; i < 20_000; i++) {
            int type = types[r.nextInt(3)];
            Gate gate = new Gate(r.nextInt(0x10000), r.nextLong(), type == Descriptors.TYPE_CALL_GATE ? 0 : r.nextInt(8),
                    type, r.nextInt(4), r.nextBoolean());
            Wide w = gate.encode();
            assertEquals(gate, SystemDescriptor.decode(w.low(), w.high()));
            assertEquals(0, w.high() >>> 32);
        }
    }

    @Test
    void gateOffsetIsSplitOverBothQuadwords() {
        Gate g = new Gate(0x0010, 0xfedcba9876543210L, 5, Descriptors.TYPE_INTERRUPT_GATE, 3, true);
        Wide w = g.encode();
        assertEquals(0x3210L, w.low() & 0xffff);
        assertEquals(0x0010L, (w.low() >>> 16) & 0xffff);
        assertEquals(5L, (w.low() >>> 32) & 0xff);
        assertEquals(0xeeL, (w.low() >>> 40) & 0xff); // P=1, DPL=3, S=0, type 0xE
        assertEquals(0x7654L, w.low() >>> 48);
        assertEquals(0xfedcba98L, w.high());
        assertEquals(g, Gate.decode(w.low(), w.high()));

        // Offset 31:16 with the top bit set must not leak into 63:32.
        Gate h = Gate.decode(0xffff_8f00_0008_0000L, 0x0000_0000L);
        assertEquals(0x00000000ffff0000L, h.offset());
        assertEquals(Descriptors.TYPE_TRAP_GATE, h.type());
        assertEquals(8, h.selector());

        assertThrows(IllegalArgumentException.class, () -> new Gate(8, 0, 1, Descriptors.TYPE_CALL_GATE, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new Gate(8, 0, 8, Descriptors.TYPE_TRAP_GATE, 0, true));
    }

    @Test
    void rejectsNonSystemTypes() {
        for (int type = 0; type < 16; type++) {
            long low = (long) type << 40 | 1L << 47;
            if (Descriptors.isSystemType64(type)) {
                SystemDescriptor d = SystemDescriptor.decode(low, 0);
                assertEquals(type, d.type());
                assertEquals(Descriptors.isGateType(type), d instanceof Gate);
            } else {
                assertThrows(DescriptorException.class, () -> SystemDescriptor.decode(low, 0));
            }
            assertThrows(DescriptorException.class, () -> SystemDescriptor.decode(low | 1L << 44, 0));
        }
    }

    // ---- VMCS access rights

    @Test
    void accessRightsBothWays() {
        Segment code = Segment.decode(0x00af9b000000ffffL);
        assertEquals(0xa09b, Descriptors.accessRights(0x00af9b000000ffffL));
        assertEquals(0x1a09b, Descriptors.accessRights(0x00af9b000000ffffL, true));
        assertTrue(Descriptors.isUnusable(0x1a09b));
        assertFalse(Descriptors.isUnusable(0xa09b));
        assertEquals(code, Segment.fromVmcs(0, 0xffffffffL, 0xa09b));
        assertEquals(0x00af9b000000ffffL, Segment.fromVmcs(0, 0xffffffffL, 0xa09b).encode());

        // TR after a VM exit: busy 64-bit TSS, P=1 (SDM Vol. 3C, 28.5.2).
        SystemSegment tr = SystemSegment.fromVmcs(0xfffffe7cf8d65000L, 0x67, 0x8b);
        assertEquals(Descriptors.TYPE_TSS_BUSY, tr.type());
        assertEquals(tss(0x5000, 0xd6, 0xf8, 0xfffffe7cL, Descriptors.TYPE_TSS_BUSY), tr.encode());

        assertThrows(IllegalArgumentException.class, () -> Segment.fromVmcs(0, 0, 0x10000));
        assertThrows(IllegalArgumentException.class, () -> Segment.fromVmcs(0, 0, 0x0193)); // reserved bit 8
        assertThrows(IllegalArgumentException.class, () -> Segment.fromVmcs(0, 0, 0x20093)); // reserved bit 17
        assertThrows(IllegalArgumentException.class, () -> SystemSegment.fromVmcs(0, 0x67, 0x9b)); // S = 1
        assertThrows(IllegalArgumentException.class, () -> SystemSegment.fromVmcs(0, 0x67, 0x1008b));

        Random r = new Random(SEED + 3);
        for (int i = 0; i < 10_000; i++) {
            int ar = r.nextInt() & 0xf0ff;
            boolean g = (ar & 0x8000) != 0;
            long limit = g ? (r.nextInt(0x100000) & 0xfffffL) << 12 | 0xfff : r.nextInt(0x100000);
            long base = r.nextInt() & 0xffffffffL;
            Segment s = Segment.fromVmcs(base, limit, ar);
            assertEquals(ar, s.accessRights());
            assertEquals(ar, Descriptors.accessRights(s.encode()));
            assertEquals(ar | 0x10000, Descriptors.accessRights(s.encode(), true));
        }
    }

    // ---- table limits

    @Test
    void tableLimitChecks() {
        long code = 0x00af9b000000ffffL;
        Wide tss = tss(0x1000, 0, 0, 0xffffffffL, Descriptors.TYPE_TSS_AVAILABLE);
        LongUnaryOperator gdt = off -> switch ((int) off) {
            case 0x08 -> code;
            case 0x10 -> tss.low();
            case 0x18 -> tss.high();
            default -> 0;
        };

        // 8-byte entry at 0x08: needs limit ≥ 0x0f.
        assertTrue(Descriptors.segment(gdt, 0x0f, 0x08).isPresent());
        assertTrue(Descriptors.segment(gdt, 0x0e, 0x08).isEmpty());
        assertEquals(Segment.decode(code), Descriptors.segment(gdt, 0xffff, 0x0b).orElseThrow()); // RPL ignored
        assertThrows(DescriptorException.class, () -> Descriptors.requireSegment(gdt, 0x0e, 0x08));

        // 16-byte entry at 0x10: needs limit ≥ 0x1f, not just 0x17.
        assertTrue(Descriptors.system(gdt, 0x1f, 0x10).isPresent());
        assertTrue(Descriptors.system(gdt, 0x1e, 0x10).isEmpty());
        assertTrue(Descriptors.system(gdt, 0x17, 0x10).isEmpty());
        assertTrue(Descriptors.segment(gdt, 0x17, 0x10).isPresent());
        assertEquals(0xffffffff00001000L, Descriptors.trBase(gdt, 0x1f, 0x10));
        DescriptorException e = assertThrows(DescriptorException.class, () -> Descriptors.trBase(gdt, 0x1e, 0x10));
        assertTrue(e.getMessage().contains("limit"), e.getMessage());

        // Limit is unsigned; the highest index fits a 0xffff limit exactly.
        assertTrue(Descriptors.segment(gdt, 0xffff, 0xfff8).isPresent());
        assertTrue(Descriptors.system(gdt, 0xffff, 0xfff8).isEmpty());
        assertTrue(Descriptors.segment(gdt, -1, 0xfff8).isPresent());
        assertTrue(Descriptors.segment(gdt, 0, 0x08).isEmpty());
    }

    @Test
    void trBaseRejectsBrokenHostSetups() {
        Wide ldt = new SystemSegment(0x1234_5678_9abc_def0L, 0xfff, Descriptors.TYPE_LDT, 0, true, false, false).encode();
        LongUnaryOperator gdt = off -> switch ((int) off) {
            case 0x08 -> 0x00af9b000000ffffL;
            case 0x10 -> ldt.low();
            case 0x18 -> ldt.high();
            default -> 0;
        };
        assertThrows(DescriptorException.class, () -> Descriptors.trBase(gdt, 0xff, 0x00)); // null
        assertThrows(DescriptorException.class, () -> Descriptors.trBase(gdt, 0xff, 0x03)); // null with RPL
        assertThrows(DescriptorException.class, () -> Descriptors.trBase(gdt, 0xff, 0x14)); // TI = 1
        assertThrows(DescriptorException.class, () -> Descriptors.trBase(gdt, 0xff, 0x10)); // LDT
        assertThrows(DescriptorException.class, () -> Descriptors.trBase(gdt, 0xff, 0x08)); // code, S = 1
        assertEquals(0x1234_5678_9abc_def0L,
                ((SystemSegment) Descriptors.requireSystem(gdt, 0xff, 0x10)).base());
    }

    @Test
    void idtGates() {
        Gate pf = new Gate(0x10, 0xffffffff81a00b40L, 0, Descriptors.TYPE_INTERRUPT_GATE, 0, true);
        Gate nmi = new Gate(0x10, 0xffffffff81a01000L, 2, Descriptors.TYPE_INTERRUPT_GATE, 0, true);
        LongUnaryOperator idt = off -> switch ((int) off) {
            case 14 * 16 -> pf.encode().low();
            case 14 * 16 + 8 -> pf.encode().high();
            case 2 * 16 -> nmi.encode().low();
            case 2 * 16 + 8 -> nmi.encode().high();
            default -> 0;
        };
        assertEquals(pf, Descriptors.idtGate(idt, 0xfff, 14).orElseThrow());
        assertEquals(nmi, Descriptors.idtGate(idt, 14 * 16 - 1, 2).orElseThrow());
        assertTrue(Descriptors.idtGate(idt, 14 * 16 + 14, 14).isEmpty());
        assertEquals(pf, Descriptors.idtGate(idt, 14 * 16 + 15, 14).orElseThrow());
        assertThrows(DescriptorException.class, () -> Descriptors.idtGate(idt, 0xfff, 3)); // zero entry: type 0
    }
}
