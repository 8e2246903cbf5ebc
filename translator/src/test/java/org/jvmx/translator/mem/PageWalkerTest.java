package org.jvmx.translator.mem;

import static org.jvmx.translator.mem.PageTables.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageWalkerTest {
    static final long LA = 0x0000_7F12_3456_7ABCL;
    static final long FRAME = 0x30_0000L;
    static final long UWX = P | RW | US;

    final PhysicalMemory mem = new PhysicalMemory();
    final PageTables pt;
    final PageWalker walker;
    PagingState state;

    PageWalkerTest() {
        mem.addRam(0, 8 << 20);
        pt = new PageTables(mem, 0x10_0000);
        walker = new PageWalker(mem, 40);
        state = PagingState.longMode(pt.cr3);
    }

    @AfterEach
    void close() {
        mem.close();
    }

    Translation walk(long la, Access kind, int cpl) {
        return walker.walk(la, kind, cpl == 3, state);
    }

    PageFault fault(long la, Access kind, int cpl) {
        PageFault f = assertThrows(PageFault.class, () -> walk(la, kind, cpl));
        assertEquals(14, f.vector());
        assertEquals(la, f.linearAddress(), "CR2");
        return f;
    }

    @Test
    void translatesA4KiBPage() {
        pt.map4k(LA, FRAME, UWX);
        Translation t = walk(LA, Access.READ, 0);
        assertEquals(FRAME | 0xABC, t.physical());
        assertEquals(4096, t.pageSize());
        assertFalse(t.global());
    }

    @Test
    void translatesTwoMiBAndOneGiBPages() {
        long la2 = 0x0000_0040_0012_3456L;
        pt.map2m(la2, 0x20_0000, UWX);
        Translation t = walk(la2, Access.WRITE, 3);
        assertEquals(0x20_0000 | 0x12_3456, t.physical());
        assertEquals(2 << 20, t.pageSize());

        long la1 = 0xFFFF_FF80_3ABC_DEF0L;
        pt.map1g(la1, 0x1_4000_0000L, UWX);
        Translation g = walk(la1, Access.EXECUTE, 0);
        assertEquals(0x1_4000_0000L | 0x3ABC_DEF0L, g.physical());
        assertEquals(1 << 30, g.pageSize());
    }

    @Test
    void patBitOfLargePagesIsNotReservedNorPartOfTheAddress() {
        long la2 = 0x0000_0040_0012_3456L;
        pt.map2m(la2, 0x20_0000 | 0x1000, UWX); // bit 12 = PAT
        assertEquals(0x20_0000 | 0x12_3456, walk(la2, Access.READ, 0).physical());
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 3, 2, 1})
    void notPresentAtEachLevel(int level) {
        pt.map4k(LA, FRAME, UWX);
        pt.update(LA, level, 0, P);
        assertEquals(0, fault(LA, Access.READ, 0).errorCode());
        assertEquals(PageFault.W | PageFault.U, fault(LA, Access.WRITE, 3).errorCode());
        assertEquals(PageFault.I | PageFault.U, fault(LA, Access.EXECUTE, 3).errorCode());
        state = state.withNxe(false);
        assertEquals(0, fault(LA, Access.EXECUTE, 0).errorCode(), "I/D only with EFER.NXE = 1");
    }

    @Test
    void reservedBitsOfANotPresentEntryAreIgnored() {
        pt.map4k(LA, FRAME, UWX);
        pt.set(LA, 1, 0xFFFF_FFFF_FFFF_FFFEL);
        assertEquals(0, fault(LA, Access.READ, 0).errorCode());
    }

    @Test
    void writeToReadOnlyPageDependsOnWpAndCpl() {
        pt.map4k(LA, FRAME, P | US);
        state = state.withWp(true);
        assertEquals(PageFault.P | PageFault.W, fault(LA, Access.WRITE, 0).errorCode());
        assertEquals(PageFault.P | PageFault.W | PageFault.U, fault(LA, Access.WRITE, 3).errorCode());
        state = state.withWp(false);
        assertEquals(FRAME | 0xABC, walk(LA, Access.WRITE, 0).physical(), "CPL 0 ignores R/W with WP = 0");
        assertEquals(PageFault.P | PageFault.W | PageFault.U, fault(LA, Access.WRITE, 3).errorCode());
        assertEquals(FRAME | 0xABC, walk(LA, Access.READ, 3).physical());
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 3, 2})
    void readOnlyAtAnUpperLevelMakesThePageReadOnly(int level) {
        pt.map4k(LA, FRAME, UWX);
        pt.update(LA, level, 0, RW);
        assertEquals(PageFault.P | PageFault.W, fault(LA, Access.WRITE, 0).errorCode());
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 3, 2, 1})
    void userAccessToSupervisorPageAtAnyLevel(int level) {
        pt.map4k(LA, FRAME, UWX);
        pt.update(LA, level, 0, US);
        assertEquals(PageFault.P | PageFault.U, fault(LA, Access.READ, 3).errorCode());
        assertEquals(PageFault.P | PageFault.W | PageFault.U, fault(LA, Access.WRITE, 3).errorCode());
        assertEquals(PageFault.P | PageFault.U | PageFault.I, fault(LA, Access.EXECUTE, 3).errorCode());
        assertEquals(FRAME | 0xABC, walk(LA, Access.READ, 0).physical(), "supervisor may read");
        assertEquals(FRAME | 0xABC, walk(LA, Access.WRITE, 0).physical());
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 3, 2, 1})
    void executeDisableAtAnyLevelWithNxe(int level) {
        pt.map4k(LA, FRAME, UWX);
        pt.update(LA, level, XD, 0);
        assertEquals(PageFault.P | PageFault.I, fault(LA, Access.EXECUTE, 0).errorCode());
        assertEquals(PageFault.P | PageFault.U | PageFault.I, fault(LA, Access.EXECUTE, 3).errorCode());
        assertEquals(FRAME | 0xABC, walk(LA, Access.READ, 3).physical(), "XD does not stop reads");
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 3, 2, 1})
    void xdIsReservedWhenNxeIsOff(int level) {
        pt.map4k(LA, FRAME, UWX);
        pt.update(LA, level, XD, 0);
        state = state.withNxe(false);
        assertEquals(PageFault.P | PageFault.RSVD, fault(LA, Access.READ, 0).errorCode());
        assertEquals(PageFault.P | PageFault.RSVD, fault(LA, Access.EXECUTE, 0).errorCode());
        assertEquals(PageFault.P | PageFault.RSVD | PageFault.W | PageFault.U,
                fault(LA, Access.WRITE, 3).errorCode());
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 3, 2, 1})
    void addressBitsAboveMaxPhysAddrAreReserved(int level) {
        pt.map4k(LA, FRAME, UWX);
        pt.update(LA, level, 1L << 40, 0); // MAXPHYADDR = 40
        assertEquals(PageFault.P | PageFault.RSVD, fault(LA, Access.READ, 0).errorCode());
        assertEquals(PageFault.P | PageFault.RSVD | PageFault.I, fault(LA, Access.EXECUTE, 0).errorCode());
    }

    @Test
    void bit45IsAddressAtMaxPhysAddr52ButReservedAt40() {
        PageWalker wide = new PageWalker(mem, 52);
        pt.map4k(LA, 1L << 45, UWX);
        assertEquals(1L << 45 | 0xABC, wide.walk(LA, Access.READ, false, state).physical());
        assertThrows(PageFault.class, () -> walker.walk(LA, Access.READ, false, state));
        assertThrows(IllegalArgumentException.class, () -> new PageWalker(mem, 53));
    }

    @Test
    void psInPml4eIsReserved() {
        pt.map4k(LA, FRAME, UWX);
        pt.update(LA, 4, PS, 0);
        assertEquals(PageFault.P | PageFault.RSVD, fault(LA, Access.READ, 0).errorCode());
    }

    @Test
    void reservedBitsOfLargePages() {
        long la2 = 0x0000_0040_0012_3456L;
        pt.map2m(la2, 0x20_0000 | (1L << 13), UWX);
        assertEquals(PageFault.P | PageFault.RSVD, fault(la2, Access.READ, 0).errorCode());
        pt.map2m(la2, 0x20_0000 | (1L << 20), UWX);
        assertEquals(PageFault.P | PageFault.RSVD, fault(la2, Access.READ, 0).errorCode());

        long la1 = 0x0000_0080_1234_5678L;
        pt.map1g(la1, 0x4000_0000L | (1L << 29), UWX);
        assertEquals(PageFault.P | PageFault.RSVD, fault(la1, Access.READ, 0).errorCode());
        pt.map1g(la1, 0x4000_0000L | (1L << 13), UWX);
        assertEquals(PageFault.P | PageFault.RSVD | PageFault.U, fault(la1, Access.READ, 3).errorCode());
        pt.map1g(la1, 0x4000_0000L | (1L << 12), UWX); // PAT
        assertEquals(0x4000_0000L | 0x1234_5678L, walk(la1, Access.READ, 3).physical());
    }

    @Test
    void accessedOnEveryLevelOnReadDirtyOnlyOnLeafOnWrite() {
        pt.map4k(LA, FRAME, UWX);
        walk(LA, Access.READ, 3);
        for (int level = 4; level >= 1; level--) {
            assertEquals(A, pt.get(LA, level) & (A | D), "level " + level + " after read");
        }
        walk(LA, Access.EXECUTE, 3);
        assertEquals(0, pt.get(LA, 1) & D, "fetch does not dirty");
        walk(LA, Access.WRITE, 3);
        for (int level = 4; level >= 2; level--) {
            assertEquals(A, pt.get(LA, level) & (A | D), "non-leaf level " + level + " has no dirty flag");
        }
        assertEquals(A | D, pt.get(LA, 1) & (A | D));
    }

    @Test
    void writeSetsAccessedAndDirtyTogether() {
        pt.map4k(LA, FRAME, UWX);
        walk(LA, Access.WRITE, 0);
        assertEquals(A | D, pt.get(LA, 1) & (A | D));
        assertEquals(A, pt.get(LA, 2) & (A | D));
    }

    @Test
    void dirtyGoesOnTheLargePageEntry() {
        long la2 = 0x0000_0040_0012_3456L;
        pt.map2m(la2, 0x20_0000, UWX);
        walk(la2, Access.READ, 0);
        assertEquals(A, pt.get(la2, 2) & (A | D));
        walk(la2, Access.WRITE, 0);
        assertEquals(A | D, pt.get(la2, 2) & (A | D));
        assertEquals(A, pt.get(la2, 3) & (A | D));

        long la1 = 0x0000_0080_1234_5678L;
        pt.map1g(la1, 0x4000_0000L, UWX);
        walk(la1, Access.WRITE, 3);
        assertEquals(A | D, pt.get(la1, 3) & (A | D));
        assertEquals(A, pt.get(la1, 4) & (A | D));
    }

    @Test
    void supervisorWriteToReadOnlyPageWithWpOffSetsDirty() {
        pt.map4k(LA, FRAME, P);
        state = state.withWp(false);
        walk(LA, Access.WRITE, 0);
        assertEquals(A | D, pt.get(LA, 1) & (A | D));
    }

    @Test
    void aFaultingAccessSetsNoFlags() {
        pt.map4k(LA, FRAME, P | US);
        fault(LA, Access.WRITE, 3);
        for (int level = 4; level >= 1; level--) {
            assertEquals(0, pt.get(LA, level) & (A | D), "level " + level);
        }
        pt.update(LA, 1, 0, P);
        fault(LA, Access.READ, 0);
        assertEquals(0, pt.get(LA, 4) & A);
    }

    @Test
    void globalOnlyWithPge() {
        pt.map4k(LA, FRAME, UWX | G);
        assertTrue(walk(LA, Access.READ, 0).global());
        state = state.withPge(false);
        assertFalse(walk(LA, Access.READ, 0).global());
    }

    @Test
    void flatModeIsIdentity() {
        Translation t = walker.walk(0x1234_5678_9ABCL, Access.WRITE, true, PagingState.FLAT);
        assertEquals(0x1234_5678_9ABCL, t.physical());
    }

    @Test
    void nonCanonicalIsTheCallersGpOrSs() {
        assertTrue(Canonical.isCanonical(0x0000_7FFF_FFFF_FFFFL));
        assertTrue(Canonical.isCanonical(0xFFFF_8000_0000_0000L));
        assertFalse(Canonical.isCanonical(0x0000_8000_0000_0000L));
        assertFalse(Canonical.isCanonical(0xFFFF_7FFF_FFFF_FFFFL));
        GuestFault gp = assertThrows(GuestFault.class, () -> Canonical.check(0x0000_8000_0000_0000L, false));
        assertEquals(13, gp.vector());
        assertEquals(0, gp.errorCode());
        GuestFault ss = assertThrows(GuestFault.class, () -> Canonical.check(0x0000_8000_0000_0000L, true));
        assertEquals(12, ss.vector());
        assertEquals(0xFFFF_8000_0000_0000L, Canonical.check(0xFFFF_8000_0000_0000L, true));
        assertThrows(IllegalArgumentException.class,
                () -> walker.walk(0x0000_8000_0000_0000L, Access.READ, false, state));
    }
}
