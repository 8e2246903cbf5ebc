package org.jvmx.translator.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CpuStateTest {
    private final CpuState c = new CpuState();

    // ---- RFLAGS

    @Test
    void rflagsRoundTripEveryDefinedBit() {
        long[] defined = {Rflags.CF, Rflags.PF, Rflags.AF, Rflags.ZF, Rflags.SF, Rflags.TF, Rflags.IF, Rflags.DF,
                Rflags.OF, 1L << 12, 1L << 13, Rflags.NT, Rflags.RF, Rflags.VM, Rflags.AC, Rflags.VIF, Rflags.VIP,
                Rflags.ID};
        for (long bit : defined) {
            c.setRflags(bit);
            assertEquals(bit | 2, c.rflags(), () -> Long.toHexString(bit));
        }
        long all = 0;
        for (long bit : defined) all |= bit;
        c.setRflags(all);
        assertEquals(0x3F7FD7L, c.rflags());
        assertEquals(Rflags.DEFINED, c.rflags());
    }

    @Test
    void rflagsReservedBitsForced() {
        c.setRflags(0);
        assertEquals(2, c.rflags(), "bit 1 always reads 1");
        c.setRflags(-1L);
        assertEquals(0x3F7FD7L, c.rflags(), "bits 3, 5, 15, 22-63 read 0");
        for (int bit : new int[] {1, 3, 5, 15, 22, 31, 32, 63}) {
            c.setRflags(1L << bit);
            assertEquals(2, c.rflags(), "bit " + bit);
        }
    }

    @Test
    void rflagsRandomRoundTrip() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 10_000; i++) {
            long v = r.nextLong();
            c.setRflags(v);
            long w = c.rflags();
            assertEquals((v & Rflags.DEFINED) | 2, w);
            c.setRflags(w);
            assertEquals(w, c.rflags());
        }
    }

    @Test
    void systemFlagAccessors() {
        c.setRflags(Rflags.DF | Rflags.IF | (2L << 12));
        assertTrue(c.df());
        assertTrue(c.interruptsEnabled());
        assertEquals(2, c.iopl());
        c.setRflags(0);
        assertFalse(c.df());
        assertFalse(c.interruptsEnabled());
        assertEquals(0, c.iopl());
    }

    @Test
    void lazyFlagsVisibleThroughRflags() {
        c.setRflags(Rflags.DF | Rflags.IF | Rflags.CF);
        c.flags.add(8, 0xFF, 1); // CF ZF AF PF set, SF OF clear
        assertEquals(Rflags.DF | Rflags.IF | Rflags.CF | Rflags.ZF | Rflags.AF | Rflags.PF | 2, c.rflags());
        c.flags.sub(32, 0, 1); // CF AF SF PF
        assertEquals(Rflags.DF | Rflags.IF | Rflags.CF | Rflags.SF | Rflags.AF | Rflags.PF | 2, c.rflags());
        c.flags.add(64, Long.MAX_VALUE, 1); // OF SF AF PF
        assertEquals(Rflags.DF | Rflags.IF | Rflags.OF | Rflags.SF | Rflags.AF | Rflags.PF | 2, c.rflags());
        c.flags.setCf(true);
        assertTrue((c.rflags() & Rflags.CF) != 0);
        // and a write goes to the lazy flags
        c.setRflags(Rflags.ZF);
        assertTrue(c.flags.zf());
        assertFalse(c.flags.cf());
        assertFalse(c.df());
    }

    // ---- reset (SDM Vol. 3A, Table 10-1)

    private void dirty() {
        java.util.Arrays.fill(c.gpr, 0x1234);
        c.rip = 0x4000;
        c.setRflags(-1);
        c.cr0 = 0xE005_003BL;
        c.cr2 = 1;
        c.cr3 = 0x1000;
        c.cr4 = 0x6F0;
        c.cr8 = 5;
        c.efer = Msr.EFER_LME | Msr.EFER_LMA | Msr.EFER_SCE | Msr.EFER_NXE;
        for (SegmentRegister s : c.seg) s.set(0x10, 0x1000, 0xFFFFF, 0xA09B);
        c.gdtrBase = c.idtrBase = 0x5000;
        c.gdtrLimit = c.idtrLimit = 7;
        c.kernelGsBase = c.star = c.lstar = c.cstar = 0x7777;
        c.fmask = 0x700;
        c.sysenterCs = 8;
        c.pat = 0x0606060606060606L;
        c.apicBase = 0xFEE00000L;
        c.setTsc(123456);
        c.setXmm(3, 1, 2);
        c.mxcsr = 0x1F00;
        c.fpu.fcw = 0x37F;
        c.fpu.mantissa[0] = 99;
        c.dr6 = 0;
        c.dr7 = 0xFF;
    }

    private void assertArchitecturalReset() {
        for (int i = 0; i < 16; i++) assertEquals(0, c.gpr[i], "gpr " + i);
        assertEquals(0xFFF0, c.rip);
        assertEquals(2, c.rflags());
        assertEquals(0xF000, c.cs.selector());
        assertEquals(0xFFFF_0000L, c.cs.base());
        assertEquals(0xFFFF, c.cs.limit());
        assertEquals(0x9B, c.cs.vmcsAccessRights());
        for (int i : new int[] {CpuState.ES, CpuState.SS, CpuState.DS, CpuState.FS, CpuState.GS}) {
            SegmentRegister s = c.seg[i];
            assertEquals(0, s.selector());
            assertEquals(0, s.base());
            assertEquals(0xFFFF, s.limit());
            assertEquals(0x93, s.vmcsAccessRights());
        }
        assertEquals(0, c.gdtrBase);
        assertEquals(0xFFFF, c.gdtrLimit);
        assertEquals(0, c.idtrBase);
        assertEquals(0xFFFF, c.idtrLimit);
        assertEquals(0x82, c.ldtr.vmcsAccessRights());
        assertEquals(0xFFFF, c.ldtr.limit());
        assertEquals(0x8B, c.tr.vmcsAccessRights());
        assertEquals(0xFFFF, c.tr.limit());
        assertEquals(0, c.cr2);
        assertEquals(0, c.cr3);
        assertEquals(0, c.cr4);
        assertEquals(0, c.cr8);
        assertEquals(0, c.efer);
        assertEquals(0xFFFF0FF0L, c.dr6);
        assertEquals(0x400, c.dr7);
        assertEquals(0, c.cpl());
        assertFalse(c.protectedMode());
        assertFalse(c.longMode());
        assertEquals(0, c.readMsr(Msr.IA32_FS_BASE));
    }

    @Test
    void powerOnStateMatchesSdmTable() {
        assertReset(c);
    }

    @Test
    void resetAfterUseMatchesSdmTable() {
        dirty();
        c.reset();
        assertReset(c);
    }

    private void assertReset(CpuState c) {
        assertArchitecturalReset();
        assertEquals(0x6000_0010L, c.cr0);
        assertEquals(0x1F80, c.mxcsr);
        for (long x : c.xmm) assertEquals(0, x);
        assertEquals(0x0040, c.fpu.fcw);
        assertEquals(0, c.fpu.fsw);
        assertEquals(0x5555, c.fpu.ftw);
        for (int i = 0; i < 8; i++) assertEquals(0, c.fpu.mantissa[i] | c.fpu.signExponent[i]);
        assertEquals(0x0007_0406_0007_0406L, c.pat);
        assertEquals(0xFEE0_0900L, c.apicBase);
        assertEquals(0, c.kernelGsBase | c.star | c.lstar | c.cstar | c.fmask | c.sysenterCs | c.sysenterEsp
                | c.sysenterEip);
        long t = c.tsc();
        assertTrue(t >= 0 && t < 10_000_000_000L, "TSC restarts at 0: " + t);
    }

    @Test
    void applicationProcessorApicBase() {
        assertEquals(0xFEE0_0800L, new CpuState(false).apicBase);
    }

    @Test
    void initKeepsFpuSseMsrsAndCacheBits() {
        dirty();
        c.init();
        assertArchitecturalReset();
        assertEquals(0x6000_0010L, c.cr0, "CD NW kept (set), ET set, the rest cleared");
        c.cr0 = CpuState.CR0_PE;
        c.init();
        assertEquals(0x10, c.cr0);
        assertEquals(0x1F00, c.mxcsr);
        assertEquals(1, c.xmmLow(3));
        assertEquals(2, c.xmmHigh(3));
        assertEquals(0x37F, c.fpu.fcw);
        assertEquals(99, c.fpu.mantissa[0]);
        assertEquals(0x0606060606060606L, c.pat);
        assertEquals(0xFEE00000L, c.apicBase);
        assertEquals(0x7777, c.lstar);
        assertEquals(0x7777, c.kernelGsBase);
        assertTrue(c.tsc() >= 123456);
    }

    // ---- CPL and modes

    @Test
    void cplFollowsCsAndMode() {
        c.cs.set(0x33, 0, -1, 0xA0FB);
        assertEquals(0, c.cpl(), "real mode");
        c.cr0 |= CpuState.CR0_PE;
        assertEquals(3, c.cpl());
        c.cs.set(0x10, 0, -1, 0xA09B);
        assertEquals(0, c.cpl());
        c.setRflags(Rflags.VM);
        assertEquals(3, c.cpl(), "virtual-8086");
        c.setRflags(0);
        c.efer = Msr.EFER_LME | Msr.EFER_LMA;
        assertTrue(c.mode64());
        c.cs.set(0x23, 0, -1, 0xC0FB);
        assertFalse(c.mode64(), "compatibility mode");
    }

    @Test
    void pagingStateFromControlRegisters() {
        c.cr0 = CpuState.CR0_PE | CpuState.CR0_PG | CpuState.CR0_WP;
        c.cr3 = 0x12_3000;
        c.cr4 = CpuState.CR4_PAE | CpuState.CR4_PGE;
        c.efer = Msr.EFER_LME | Msr.EFER_LMA | Msr.EFER_NXE;
        assertEquals(org.jvmx.translator.mem.PagingState.longMode(0x12_3000), c.pagingState());
        c.reset();
        assertFalse(c.pagingState().paging());
    }

    // ---- MSRs

    @Test
    void fsGsBaseAreTheSegmentBases() {
        assertTrue(c.writeMsr(0xC000_0100, 0x7FFF_1234_5000L));
        assertEquals(0x7FFF_1234_5000L, c.fs.base());
        c.gs.setBase(0xFFFF_8880_0000_0000L);
        assertEquals(OptionalLong.of(0xFFFF_8880_0000_0000L), c.readMsr(0xC000_0101));
        c.fs.loadDescriptor(0x2B, 0x00CF_F300_0000_FFFFL);
        assertEquals(OptionalLong.of(0), c.readMsr(Msr.IA32_FS_BASE.number));
        c.kernelGsBase = 0x1000;
        c.swapgs();
        assertEquals(0x1000, c.gs.base());
        assertEquals(OptionalLong.of(0xFFFF_8880_0000_0000L), c.readMsr(Msr.IA32_KERNEL_GS_BASE.number));
    }

    @Test
    void msrReadWriteByNumber() {
        long[][] cases = {
                {0xC000_0081L, 0x0023_0010_0000_0000L}, // STAR
                {0xC000_0082L, 0xFFFF_FFFF_8100_0000L}, // LSTAR
                {0xC000_0083L, 0x1234_5678L},           // CSTAR
                {0xC000_0084L, 0x4_7700L},              // FMASK
                {0xC000_0102L, 0xFFFF_8880_0001_0000L}, // KERNEL_GS_BASE
                {0xC000_0103L, 7},                      // TSC_AUX
                {0x174, 0x10},                          // SYSENTER_CS
                {0x175, 0xFFFF_C900_0000_0000L},        // SYSENTER_ESP
                {0x176, 0xFFFF_FFFF_8100_1000L},        // SYSENTER_EIP
                {0x277, 0x0007_0106_0007_0406L},        // PAT (WC in PA2)
                {0x1B, 0xFEE0_0D00L},                   // APIC base, x2APIC + enable + BSP
                {0xC000_0080L, Msr.EFER_SCE | Msr.EFER_LME | Msr.EFER_NXE},
        };
        for (long[] t : cases) {
            int n = (int) t[0];
            assertTrue(c.writeMsr(n, t[1]), () -> Long.toHexString(t[0]));
            assertEquals(OptionalLong.of(t[1]), c.readMsr(n), () -> Long.toHexString(t[0]));
        }
        assertEquals(0x0023_0010_0000_0000L, c.star);
        assertEquals(0xFFFF_FFFF_8100_0000L, c.lstar);
        assertEquals(Msr.EFER_SCE | Msr.EFER_LME | Msr.EFER_NXE, c.efer);
        for (Msr m : Msr.values()) {
            assertSame(m, Msr.byNumber(m.number));
            assertTrue(c.readMsr(m.number).isPresent());
        }
    }

    @Test
    void tscWriteAndRead() {
        long[] now = {1000};
        c.tscSource = () -> now[0];
        assertTrue(c.writeMsr(0x10, 5_000_000));
        assertEquals(OptionalLong.of(5_000_000), c.readMsr(0x10));
        now[0] += 250;
        assertEquals(5_000_250, c.tsc());
    }

    @Test
    void unknownMsrIsReportedNotThrown() {
        for (int n : new int[] {0, 0x3A, 0x480, 0xC000_0085, 0xC000_0104, 0x4000_0000, -1}) {
            assertNull(Msr.byNumber(n));
            assertTrue(c.readMsr(n).isEmpty(), Integer.toHexString(n));
            assertFalse(c.writeMsr(n, 0), Integer.toHexString(n));
        }
    }

    @Test
    void wrmsrRefusesWhatTheSdmRefuses() {
        long before = c.rflags();
        long nonCanonical = 0x0000_8000_0000_0000L;
        for (Msr m : new Msr[] {Msr.IA32_FS_BASE, Msr.IA32_GS_BASE, Msr.IA32_KERNEL_GS_BASE, Msr.IA32_LSTAR,
                Msr.IA32_CSTAR, Msr.IA32_SYSENTER_ESP, Msr.IA32_SYSENTER_EIP}) {
            long old = c.readMsr(m);
            assertFalse(c.writeMsr(m.number, nonCanonical), m.name());
            assertEquals(old, c.readMsr(m), m.name() + " unchanged");
        }
        assertFalse(c.writeMsr(Msr.IA32_EFER.number, 1L << 1), "reserved EFER bit");
        assertFalse(c.writeMsr(Msr.IA32_EFER.number, 1L << 12), "reserved EFER bit");
        assertFalse(c.writeMsr(Msr.IA32_PAT.number, 0x0007_0406_0007_0402L), "PAT type 2");
        assertFalse(c.writeMsr(Msr.IA32_PAT.number, 0x0007_0406_0807_0406L), "PAT type 8");
        assertEquals(Msr.PAT_DEFAULT, c.pat);
        assertFalse(c.writeMsr(Msr.IA32_APIC_BASE.number, 0xFEE0_0901L), "APIC base bit 0");
        assertFalse(c.writeMsr(Msr.IA32_APIC_BASE.number, 0xFEE0_0B00L), "APIC base bit 9");
        assertFalse(c.writeMsr(Msr.IA32_APIC_BASE.number, 1L << 48 | 0xFEE0_0900L), "beyond MAXPHYADDR");
        assertFalse(c.writeMsr(Msr.IA32_FMASK.number, 1L << 32));
        assertFalse(c.writeMsr(Msr.IA32_TSC_AUX.number, 1L << 32));
        assertEquals(before, c.rflags());
    }

    @Test
    void eferLmaIsProcessorOwnedAndLmeLockedWhilePaging() {
        assertTrue(c.writeMsr(Msr.IA32_EFER.number, Msr.EFER_LMA | Msr.EFER_LME));
        assertEquals(Msr.EFER_LME, c.efer, "LMA write ignored");
        c.efer = Msr.EFER_LME | Msr.EFER_LMA;
        c.cr0 |= CpuState.CR0_PG | CpuState.CR0_PE;
        assertFalse(c.writeMsr(Msr.IA32_EFER.number, 0), "LME change with CR0.PG = 1");
        assertTrue(c.writeMsr(Msr.IA32_EFER.number, Msr.EFER_LME | Msr.EFER_NXE | Msr.EFER_SCE));
        assertEquals(Msr.EFER_LME | Msr.EFER_LMA | Msr.EFER_NXE | Msr.EFER_SCE, c.efer, "LMA kept");
    }

    @Test
    void xmmLayout() {
        c.setXmm(15, 0x1111, 0x2222);
        assertEquals(0x1111, c.xmm[30]);
        assertEquals(0x2222, c.xmm[31]);
        assertEquals(0x2222, c.xmmHigh(15));
    }

    @Test
    void fpuStackMapping() {
        FpuState f = c.fpu;
        f.fsw = 6 << 11;
        assertEquals(6, f.top());
        assertEquals(6, f.physical(0));
        assertEquals(1, f.physical(3));
        f.finit();
        assertEquals(0x037F, f.fcw);
        assertEquals(0xFFFF, f.ftw);
        assertEquals(0, f.top());
    }
}
