package org.jvmx.translator.mem;

import static org.jvmx.translator.mem.PageTables.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SoftTlbTest {
    static final long LA = 0x0000_7F12_3456_7000L;
    static final long F1 = 0x30_0000L;
    static final long F2 = 0x30_1000L;
    static final long UWX = P | RW | US;

    final PhysicalMemory mem = new PhysicalMemory();
    final CodePages code = new CodePages();
    final PageTables pt;
    final SoftTlb tlb;
    final LinearMemory lm;

    SoftTlbTest() {
        mem.addRam(0, 8 << 20);
        pt = new PageTables(mem, 0x10_0000);
        tlb = new SoftTlb(new PageWalker(mem, 46), mem, code, PagingState.longMode(pt.cr3));
        lm = new LinearMemory(tlb, mem, code);
        mem.write(F1, 8, 0x1111);
        mem.write(F2, 8, 0x2222);
    }

    @AfterEach
    void close() {
        mem.close();
    }

    @Test
    void hitsAfterWarmUp() {
        pt.map4k(LA, F1, UWX);
        assertEquals(0x1111, lm.read(LA, 8, false));
        assertEquals(1, tlb.misses());
        for (int i = 0; i < 100; i++) {
            assertEquals(0x1111, lm.read(LA, 8, false));
            lm.read(LA + 8 * i, 8, false);
        }
        assertEquals(1, tlb.misses());
        assertTrue(tlb.hit(SoftTlb.slot(Access.READ, false, LA), LA + 0xFF8, 8));
        assertFalse(tlb.hit(SoftTlb.slot(Access.READ, false, LA), LA + 0xFF9, 8), "page crossing is slow path");
        assertFalse(tlb.hit(SoftTlb.slot(Access.READ, true, LA), LA, 8), "user table separate");
        assertFalse(tlb.hit(SoftTlb.slot(Access.WRITE, false, LA), LA, 8), "write table separate");
    }

    @Test
    void writesThroughTheFastPathReachRam() {
        pt.map4k(LA, F1, UWX);
        lm.write(LA + 0x10, 4, 0xAABBCCDDL, true);
        assertEquals(A | D, pt.get(LA, 1) & (A | D));
        lm.write(LA + 0x13, 2, 0x7766, true);
        assertEquals(1, tlb.misses());
        assertEquals(0x77_66BB_CCDDL, mem.read(F1 + 0x10, 8));
    }

    @Test
    void aReadDoesNotOpenTheWritePathSoDirtyIsSetOnTheFirstWrite() {
        pt.map4k(LA, F1, UWX);
        lm.read(LA, 8, false);
        assertEquals(A, pt.get(LA, 1) & (A | D));
        lm.write(LA, 1, 0, false);
        assertEquals(A | D, pt.get(LA, 1) & (A | D));
    }

    @Test
    void staleUntilInvlpg() {
        pt.map4k(LA, F1, UWX);
        pt.map4k(LA + 0x1000, F1, UWX);
        assertEquals(0x1111, lm.read(LA, 8, false));
        lm.read(LA + 0x1000, 8, false);
        pt.map4k(LA, F2, UWX);
        pt.map4k(LA + 0x1000, F2, UWX);
        assertEquals(0x1111, lm.read(LA, 8, false), "TLB keeps the old translation");
        tlb.flushPage(LA + 0x123);
        assertEquals(0x2222, lm.read(LA, 8, false));
        assertEquals(0x1111, lm.read(LA + 0x1000, 8, false), "other page untouched");
    }

    @Test
    void invlpgAnywhereInALargePageDropsAllItsSlices() {
        long la = 0x0000_0040_0020_0000L;
        pt.map2m(la, 0x20_0000, UWX);
        mem.write(0x20_1000, 8, 1);
        mem.write(0x20_5000, 8, 5);
        assertEquals(1, lm.read(la + 0x1000, 8, false));
        assertEquals(5, lm.read(la + 0x5000, 8, false));
        pt.map2m(la, 0x40_0000, UWX);
        assertEquals(1, lm.read(la + 0x1000, 8, false));
        tlb.flushPage(la + 0x3000);
        assertEquals(0, lm.read(la + 0x1000, 8, false));
        assertEquals(0, lm.read(la + 0x5000, 8, false));
    }

    @Test
    void cr3WriteFlushesNonGlobalAndKeepsGlobalPages() {
        long gla = LA + 0x1000;
        pt.map4k(LA, F1, UWX);
        pt.map4k(gla, F1, UWX | G);
        lm.read(LA, 8, false);
        lm.read(gla, 8, true);
        PageTables other = new PageTables(mem, 0x18_0000);
        other.map4k(LA, F2, UWX);
        other.map4k(gla, F2, UWX | G);
        tlb.writeCr3(other.cr3);
        assertEquals(0x2222, lm.read(LA, 8, false), "non-global flushed");
        assertEquals(0x1111, lm.read(gla, 8, true), "global survives MOV CR3");
        tlb.flushPage(gla);
        assertEquals(0x2222, lm.read(gla, 8, true), "INVLPG drops a global page");
    }

    @Test
    void withoutPgeGlobalPagesAreFlushedByCr3() {
        tlb.setState(tlb.state().withPge(false));
        pt.map4k(LA, F1, UWX | G);
        lm.read(LA, 8, false);
        PageTables other = new PageTables(mem, 0x18_0000);
        other.map4k(LA, F2, UWX | G);
        tlb.setState(tlb.state().withCr3(other.cr3));
        assertEquals(0x2222, lm.read(LA, 8, false));
    }

    @Test
    void changingWpFlushes() {
        pt.map4k(LA, F1, P);
        tlb.setState(tlb.state().withWp(false));
        lm.write(LA, 8, 0x99, false);
        assertEquals(0x99, mem.read(F1, 8));
        tlb.setState(tlb.state().withWp(true));
        PageFault f = assertThrows(PageFault.class, () -> lm.write(LA, 8, 0x98, false));
        assertEquals(PageFault.P | PageFault.W, f.errorCode());
        assertEquals(0x99, mem.read(F1, 8));
    }

    @Test
    void faultsComeThroughTheTlbWithCr2() {
        pt.map4k(LA, F1, P | RW);
        PageFault f = assertThrows(PageFault.class, () -> lm.read(LA + 0x44, 4, true));
        assertEquals(PageFault.P | PageFault.U, f.errorCode());
        assertEquals(LA + 0x44, f.linearAddress());
        assertEquals(0x1111, lm.read(LA, 8, false));
        assertThrows(PageFault.class, () -> lm.fetch(LA + 0x10, 1, true));
    }

    @Test
    void pageCrossingWriteFaultOnTheSecondPageChangesNothing() {
        pt.map4k(LA, F1, UWX);
        pt.map4k(LA + 0x1000, F2, P | US);
        PageFault f = assertThrows(PageFault.class, () -> lm.write(LA + 0xFFC, 8, -1L, true));
        assertEquals(LA + 0x1000, f.linearAddress(), "CR2 is the first byte of the faulting page");
        assertEquals(PageFault.P | PageFault.W | PageFault.U, f.errorCode());
        assertEquals(0, mem.read(F1 + 0xFFC, 4));
    }

    @Test
    void pageCrossingAccessesJoinBothPages() {
        pt.map4k(LA, F1, UWX);
        pt.map4k(LA + 0x1000, F2, UWX);
        lm.write(LA + 0xFFE, 4, 0x4433_2211L, false);
        assertEquals(0x2211, mem.read(F1 + 0xFFE, 2));
        assertEquals(0x4433, mem.read(F2, 2));
        assertEquals(0x4433_2211L, lm.read(LA + 0xFFE, 4, false));
    }

    @Test
    void mmioThroughPagingTakesTheSlowPathEveryTime() {
        List<Long> reads = new ArrayList<>();
        mem.addMmio(0xFEC0_0000L, 0x20, new MmioHandler() {
            @Override
            public long read(long offset, int size) {
                reads.add(offset);
                return 0x42;
            }

            @Override
            public void write(long offset, int size, long value) {
            }
        });
        pt.map4k(LA, 0xFEC0_0000L, P | RW);
        assertEquals(0x42, lm.read(LA + 0x10, 4, false));
        assertEquals(0x42, lm.read(LA + 0x10, 4, false));
        assertEquals(List.of(0x10L, 0x10L), reads);
        assertEquals(0xFFFF_FFFFL, lm.read(LA + 0x20, 4, false), "past the device: all ones");
    }

    @Test
    void writesToCodePagesTakeTheSlowPathAndAreReported() {
        List<String> seen = new ArrayList<>();
        code.addListener((pa, size) -> seen.add(Long.toHexString(pa) + "/" + size));
        pt.map4k(LA, F1, UWX);
        pt.map4k(LA + 0x1000, F1, UWX); // an alias of the same frame
        lm.write(LA, 8, 1, false);
        assertTrue(tlb.hit(SoftTlb.slot(Access.WRITE, false, LA), LA, 8));
        code.mark(F1 + 0x123);
        assertFalse(tlb.hit(SoftTlb.slot(Access.WRITE, false, LA), LA, 8), "marking drops write entries");
        lm.write(LA + 0x10, 2, 0xBEEF, false);
        lm.write(LA + 0x1020, 1, 0x7, false);
        assertEquals(List.of("300010/2", "300020/1"), seen);
        assertEquals(0xBEEF, mem.read(F1 + 0x10, 2), "the write still lands");
        assertEquals(0xBEEF, lm.read(LA + 0x10, 2, false), "reads keep the fast path");
        assertTrue(tlb.hit(SoftTlb.slot(Access.READ, false, LA), LA, 8));
        code.unmark(F1);
        lm.write(LA + 0x10, 2, 0, false);
        assertEquals(2, seen.size());
        assertTrue(tlb.hit(SoftTlb.slot(Access.WRITE, false, LA), LA, 8), "fast path again after unmark");
    }

    @Test
    void flatModeGoesThroughTheTlbToo() {
        SoftTlb flat = new SoftTlb(new PageWalker(mem, 46), mem, code, PagingState.FLAT);
        LinearMemory fm = new LinearMemory(flat, mem, code);
        fm.write(0x5008, 8, 0x55, true);
        assertEquals(0x55, fm.read(0x5008, 8, true));
        assertEquals(0x55, fm.fetch(0x5008, 1, false));
        assertEquals(-1L, fm.read(0x9000_0000L, 8, false), "unmapped physical reads all ones");
        assertEquals(1, mem.unmappedReads());
    }
}
