package org.jvmx.translator.mem;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Paging outside IA-32e mode (SDM Vol. 3A, 4.3 and 4.4): 32-bit paging with 4-byte entries,
 * 4 KiB and (CR4.PSE) 4 MiB pages including the PSE-36 address bits, and PAE paging from the
 * PDPTE registers to 2 MiB and 4 KiB pages with XD and reserved bits; rights, A/D flags, the
 * #PF error codes, and 32-bit linear addresses.
 */
class LegacyPagingTest {
    static final long P = 1, RW = 2, US = 4, A = 1 << 5, D = 1 << 6, PS = 1 << 7, G = 1 << 8, XD = 1L << 63;
    static final long PD = 0x1000, PT = 0x2000, PDPT = 0x3000, PAE_PD = 0x4000, PAE_PT = 0x6000;

    final PhysicalMemory mem = new PhysicalMemory();
    final PageWalker walker;

    LegacyPagingTest() {
        mem.addRam(0, 16 << 20);
        walker = new PageWalker(mem, 40);
        // 32-bit paging: LA 0x00403xxx -> PA 0x5xxx through PDE[1] and PTE[3] (upper half of its quadword).
        mem.write(PD + 4, 4, PT | P | RW | US);
        mem.write(PT + 8, 4, 0x0BAD_0000L | P); // PTE[2], the neighbour in the same quadword
        mem.write(PT + 12, 4, 0x5000 | P | RW | US | G);
        mem.write(PT + 16, 4, 0x6000 | P | US); // PTE[4]: read-only user page at LA 0x404000
        mem.write(PT + 20, 4, 0x7000 | P | RW); // PTE[5]: supervisor page at LA 0x405000
        mem.write(PD + 8, 4, 0x00C0_0000L | PS | P | RW); // PDE[2]: a 4 MiB page at LA 0x800000 (with PSE)
        // PAE: PDPTE[0] -> PD; PDE[2] a 2 MiB page; PDE[3] -> PT; PTE[5] execute-disabled.
        mem.write(PDPT, 8, PAE_PD | P);
        mem.write(PAE_PD + 16, 8, 0x0060_0000L | PS | P | RW | US);
        mem.write(PAE_PD + 24, 8, PAE_PT | P | RW | US);
        mem.write(PAE_PT + 40, 8, 0x7000 | P | RW | US | XD);
        mem.write(PAE_PT + 48, 8, 0x8000 | P | RW | US | 1L << 45); // PTE[6]: bit 45 >= MAXPHYADDR
    }

    @AfterEach
    void close() {
        mem.close();
    }

    PagingState bits32(boolean pse, boolean wp) {
        return new PagingState(PagingState.Mode.BITS32, wp, PD, true, true, pse, null);
    }

    PagingState pae(boolean nxe) {
        PagingState s = PagingState.pae(PDPT, nxe);
        return s.withPdptes(walker.loadPdptes(s.cr3()));
    }

    PageFault fault(long la, Access kind, boolean user, PagingState s) {
        PageFault f = assertThrows(PageFault.class, () -> walker.walk(la, kind, user, s));
        assertEquals(la & 0xFFFF_FFFFL, f.linearAddress(), "CR2");
        return f;
    }

    @Test
    void bits32FourKibPageSetsAccessedThenDirtyOnFourByteEntries() {
        Translation t = walker.walk(0x0040_3ABC, Access.READ, true, bits32(false, true));
        assertEquals(0x5ABC, t.physical());
        assertEquals(4096, t.pageSize());
        assertTrue(t.global(), "G with CR4.PGE");
        assertEquals(PT | P | RW | US | A, mem.read(PD + 4, 4), "PDE accessed");
        assertEquals(0x5000 | P | RW | US | G | A, mem.read(PT + 12, 4), "PTE accessed, not dirty");
        assertEquals(0x0BAD_0000L | P, mem.read(PT + 8, 4), "neighbour entry untouched");
        walker.walk(0x0040_3000, Access.WRITE, false, bits32(false, true));
        assertEquals(0x5000 | P | RW | US | G | A | D, mem.read(PT + 12, 4), "PTE dirty");
        assertEquals(PT | P | RW | US | A, mem.read(PD + 4, 4), "PDE never dirty");
        assertEquals(0, mem.read(PT + 16, 8) >>> 32 & (A | D), "PTE[5] untouched");
    }

    @Test
    void bits32LinearAddressesAreThirtyTwoBits() {
        assertEquals(0x5ABC, walker.walk(0x1_0040_3ABCL, Access.READ, false, bits32(false, true)).physical());
    }

    @Test
    void bits32FourMibPageNeedsPse() {
        Translation t = walker.walk(0x0081_2345, Access.WRITE, false, bits32(true, true));
        assertEquals(0x00C1_2345, t.physical());
        assertEquals(4 << 20, t.pageSize());
        assertEquals(0x00C0_0000L | PS | P | RW | A | D, mem.read(PD + 8, 4));
        // Without CR4.PSE the PDE points to a page table at 0xC00000: empty, so not present.
        assertEquals(0, fault(0x0081_2345, Access.READ, false, bits32(false, true)).errorCode());
    }

    @Test
    void bits32Pse36HighAddressBitsAndReservedBits() {
        mem.write(PD + 8, 4, 0x00C0_0000L | 0x3L << 13 | PS | P | RW);
        assertEquals(0x3_00C1_2345L, walker.walk(0x0081_2345, Access.READ, false, bits32(true, true)).physical());
        // MAXPHYADDR 36: PDE bit 17 (physical bit 36) is reserved.
        mem.write(PD + 8, 4, 0x00C0_0000L | 1L << 17 | PS | P | RW);
        PageFault f = assertThrows(PageFault.class,
                () -> new PageWalker(mem, 36).walk(0x0081_2345, Access.READ, false, bits32(true, true)));
        assertEquals(PageFault.P | PageFault.RSVD, f.errorCode());
        // Bit 21 is always reserved.
        mem.write(PD + 8, 4, 0x00C0_0000L | 1L << 21 | PS | P | RW);
        assertEquals(PageFault.P | PageFault.RSVD | PageFault.W,
                fault(0x0081_2345, Access.WRITE, false, bits32(true, true)).errorCode());
    }

    @Test
    void bits32RightsAndErrorCodes() {
        PagingState wp = bits32(false, true), noWp = bits32(false, false);
        assertEquals(PageFault.W | PageFault.U, fault(0x0040_7000, Access.WRITE, true, wp).errorCode(), "not present");
        assertEquals(PageFault.P | PageFault.U, fault(0x0040_5000, Access.READ, true, wp).errorCode(), "supervisor page");
        assertEquals(PageFault.P | PageFault.W | PageFault.U, fault(0x0040_4000, Access.WRITE, true, wp).errorCode());
        assertEquals(PageFault.P | PageFault.W, fault(0x0040_4000, Access.WRITE, false, wp).errorCode(), "CR0.WP");
        assertEquals(0x6010, walker.walk(0x0040_4010, Access.WRITE, false, noWp).physical(), "no WP: supervisor writes");
        assertEquals(0x6010, walker.walk(0x0040_4010, Access.READ, true, wp).physical());
        // No execute-disable in 32-bit paging: a fetch fault has no I flag even with EFER.NXE.
        assertEquals(0, fault(0x0040_7000, Access.EXECUTE, false, wp).errorCode());
        assertEquals(0, mem.read(PT + 28, 4), "a faulting walk sets nothing");
    }

    @Test
    void paeTwoMibAndFourKibPages() {
        Translation t = walker.walk(0x0041_2345, Access.READ, true, pae(true));
        assertEquals(0x0061_2345, t.physical());
        assertEquals(2 << 20, t.pageSize());
        assertEquals(0x7123, walker.walk(0x0060_5123, Access.WRITE, true, pae(true)).physical());
        assertEquals(PAE_PT | P | RW | US | A, mem.read(PAE_PD + 24, 8));
        assertEquals(0x7000 | P | RW | US | XD | A | D, mem.read(PAE_PT + 40, 8));
        assertEquals(PAE_PD | P, mem.read(PDPT, 8), "PDPTEs have no accessed flag");
    }

    @Test
    void paeExecuteDisableAndReservedBits() {
        assertEquals(PageFault.P | PageFault.I | PageFault.U, fault(0x0060_5000, Access.EXECUTE, true, pae(true)).errorCode());
        // EFER.NXE = 0: XD is a reserved bit, and fetches report no I flag.
        assertEquals(PageFault.P | PageFault.RSVD, fault(0x0060_5000, Access.EXECUTE, false, pae(false)).errorCode());
        assertEquals(PageFault.P | PageFault.RSVD, fault(0x0060_6000, Access.READ, false, pae(true)).errorCode(), "bit 45");
        mem.write(PAE_PD + 16, 8, 0x0060_0000L | 1L << 13 | PS | P | RW | US);
        assertEquals(PageFault.P | PageFault.RSVD | PageFault.W, fault(0x0041_0000, Access.WRITE, false, pae(true)).errorCode());
    }

    @Test
    void paeWalksUseThePdpteRegistersNotMemory() {
        PagingState s = pae(true);
        assertEquals(0, fault(0x4000_0000, Access.READ, false, s).errorCode(), "PDPTE[1] not present");
        mem.write(PDPT, 8, 0); // stale until CR3 is reloaded
        assertEquals(0x0061_2345, walker.walk(0x0041_2345, Access.READ, false, s).physical());
        assertEquals(0, fault(0x0041_2345, Access.READ, false, pae(true)).errorCode());
    }

    @Test
    void pdpteReservedBits() {
        assertFalse(walker.pdptesReserved(new PagingState.Pdptes(PAE_PD | P, 0, 0x7FFE, 0)), "only present entries");
        assertTrue(walker.pdptesReserved(new PagingState.Pdptes(PAE_PD | P | RW, 0, 0, 0)), "bit 1");
        assertTrue(walker.pdptesReserved(new PagingState.Pdptes(0, PAE_PD | P | 1L << 5, 0, 0)), "bit 5");
        assertTrue(walker.pdptesReserved(new PagingState.Pdptes(0, 0, 0, PAE_PD | P | XD)), "bit 63");
        assertTrue(walker.pdptesReserved(new PagingState.Pdptes(0, 0, PAE_PD | P | 1L << 40, 0)), "MAXPHYADDR");
    }
}
