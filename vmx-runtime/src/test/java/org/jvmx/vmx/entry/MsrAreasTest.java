package org.jvmx.vmx.entry;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmx.decoder.Instruction;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Msr;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Sensitive;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsFields;

/** The VMCS MSR lists (SDM Vol. 3C 27.4, 28.4, 28.6): entry format, order, each failure rule alone. */
class MsrAreasTest {
    static final long ENTRY_LIST = 0x2000, STORE_LIST = 0x4000, EXIT_LIST = 0x6000;
    static final int SYSENTER_CS = 0x174, SYSENTER_ESP = 0x175, SYSENTER_EIP = 0x176, TSC = 0x10;
    static final int EFER = 0xC000_0080, STAR = 0xC000_0081, LSTAR = 0xC000_0082, FMASK = 0xC000_0084;
    static final int FS_BASE = 0xC000_0100, GS_BASE = 0xC000_0101, KERNEL_GS_BASE = 0xC000_0102, PAT = 0x277;

    final PhysicalMemory ram = new PhysicalMemory();
    final Vmcs vmcs = new Vmcs(1);
    final Cpu cpu;

    MsrAreasTest() {
        ram.addRam(0, 1 << 20);
        cpu = Cpu.flat64(ram, false);
        cpu.state.tscSource = () -> 1_000_000L;
        cpu.state.setTsc(1_000_000L); // a fixed clock: the guest TSC reads 1,000,000 until written
    }

    @AfterEach
    void close() {
        ram.close();
    }

    /** One list entry: index, reserved bits 63:32, data. */
    record E(long low, long data) {
        static E of(int msr, long data) {
            return new E(msr & 0xFFFF_FFFFL, data);
        }
    }

    void list(MsrArea area, long pa, E... entries) {
        for (int k = 0; k < entries.length; k++) {
            ram.write(pa + 16L * k, 8, entries[k].low);
            ram.write(pa + 16L * k + 8, 8, entries[k].data);
        }
        vmcs.write(area.count, entries.length);
        vmcs.write(area.address, pa);
    }

    long data(long pa, int k) {
        return ram.read(pa + 16L * k + 8, 8);
    }

    long guest(int msr) {
        return cpu.state.readMsr(msr).orElseThrow();
    }

    // ---- VM-entry MSR-load (27.4)

    @Test
    void entryLoadWritesGuestMsrsInOrder() {
        list(MsrArea.VM_ENTRY_LOAD, ENTRY_LIST,
                E.of(SYSENTER_CS, 0x10),
                E.of(SYSENTER_ESP, 0xFFFF_8000_0000_1000L),
                E.of(SYSENTER_EIP, 0xFFFF_FFFF_8100_0000L),
                E.of(STAR, 0x0023_0010_0000_0000L),
                E.of(LSTAR, 0xFFFF_FFFF_8120_0000L),
                E.of(FMASK, 0x4700),
                E.of(KERNEL_GS_BASE, 0xFFFF_8880_0000_0000L),
                E.of(PAT, 0x0007_0406_0007_0401L),
                E.of(TSC, 5_000_000L),
                E.of(SYSENTER_CS, 0x20)); // a later entry for the same MSR wins: processed in order
        assertEquals(0, MsrAreas.loadOnEntry(vmcs, ram, cpu));
        assertEquals(0x20, guest(SYSENTER_CS));
        assertEquals(0xFFFF_8000_0000_1000L, guest(SYSENTER_ESP));
        assertEquals(0xFFFF_FFFF_8100_0000L, guest(SYSENTER_EIP));
        assertEquals(0x0023_0010_0000_0000L, guest(STAR));
        assertEquals(0xFFFF_FFFF_8120_0000L, guest(LSTAR));
        assertEquals(0x4700, guest(FMASK));
        assertEquals(0xFFFF_8880_0000_0000L, guest(KERNEL_GS_BASE));
        assertEquals(0x0007_0406_0007_0401L, guest(PAT));
        assertEquals(5_000_000L, guest(TSC));
    }

    @Test
    void entryLoadOfEferGoesThroughWrmsrAndUpdatesTheTlbView() {
        cpu.state.efer = Msr.EFER_LME | Msr.EFER_LMA;
        assertFalse(cpu.memory.tlb().state().nxe());
        list(MsrArea.VM_ENTRY_LOAD, ENTRY_LIST, E.of(EFER, Msr.EFER_LME | Msr.EFER_NXE | Msr.EFER_SCE));
        assertEquals(0, MsrAreas.loadOnEntry(vmcs, ram, cpu));
        // WRMSR does not write LMA (the processor owns it): it keeps its value
        assertEquals(Msr.EFER_LME | Msr.EFER_LMA | Msr.EFER_NXE | Msr.EFER_SCE, cpu.state.efer);
        assertTrue(cpu.memory.tlb().state().nxe(), "an EFER load refreshes the paging view as WRMSR does");
    }

    @Test
    void entryLoadDoesNotGoThroughTheHypervisorsWrmsr() {
        cpu.sensitive = new Sensitive() {
            @Override
            public void wrmsr(Cpu c, Instruction i, int msr, long value) {
                throw new AssertionError("MSR lists are not guest WRMSRs under VMX");
            }
        };
        list(MsrArea.VM_ENTRY_LOAD, ENTRY_LIST, E.of(SYSENTER_CS, 8));
        assertEquals(0, MsrAreas.loadOnEntry(vmcs, ram, cpu));
        assertEquals(8, guest(SYSENTER_CS));
    }

    @Test
    void countZeroDoesNothing() {
        // address 0 holds bytes that would fail every list; with count 0 nothing is read or written
        ram.write(0, 8, -1L);
        ram.write(8, 8, 0x1234);
        for (MsrArea a : MsrArea.values()) {
            vmcs.write(a.count, 0);
            vmcs.write(a.address, 0);
        }
        long cs = guest(SYSENTER_CS);
        HostMsrs host = new HostMsrs();
        assertEquals(0, MsrAreas.loadOnEntry(vmcs, ram, cpu));
        assertEquals(0, MsrAreas.storeOnExit(vmcs, ram, cpu));
        assertEquals(0, MsrAreas.loadOnExit(vmcs, ram, host));
        assertEquals(cs, guest(SYSENTER_CS));
        assertEquals(-1L, ram.read(0, 8));
        assertEquals(0x1234, ram.read(8, 8));
        for (MsrArea a : MsrArea.values()) assertNull(MsrAreas.process(a, vmcs, ram, MsrAccess.guest(cpu)));
    }

    @Test
    void eachListUsesItsOwnCountAndAddressFields() {
        list(MsrArea.VM_ENTRY_LOAD, ENTRY_LIST, E.of(SYSENTER_CS, 0x11));
        list(MsrArea.VM_EXIT_LOAD, EXIT_LIST, E.of(SYSENTER_CS, 0x22), E.of(SYSENTER_ESP, 0x33));
        list(MsrArea.VM_EXIT_STORE, STORE_LIST, E.of(SYSENTER_CS, 0), E.of(STAR, 0), E.of(TSC, 0));
        assertEquals(1, vmcs.read(VmcsFields.VM_ENTRY_MSR_LOAD_COUNT));
        assertEquals(EXIT_LIST, vmcs.read(VmcsFields.VM_EXIT_MSR_LOAD_ADDR));
        assertEquals(3, vmcs.read(VmcsFields.VM_EXIT_MSR_STORE_COUNT));
        HostMsrs host = new HostMsrs();
        assertEquals(0, MsrAreas.loadOnEntry(vmcs, ram, cpu));
        assertEquals(0, MsrAreas.loadOnExit(vmcs, ram, host));
        assertEquals(0x11, guest(SYSENTER_CS), "the exit list goes to the host, not the guest");
        assertEquals(OptionalLong.of(0x22), host.get(SYSENTER_CS));
        assertEquals(OptionalLong.of(0x33), host.get(SYSENTER_ESP));
        cpu.state.star = 0x1234_5678_0000_0000L;
        assertEquals(0, MsrAreas.storeOnExit(vmcs, ram, cpu));
        assertEquals(0x11, data(STORE_LIST, 0));
        assertEquals(0x1234_5678_0000_0000L, data(STORE_LIST, 1));
        assertEquals(cpu.state.tsc(), data(STORE_LIST, 2));
    }

    @Test
    void failureNumberCountsFromOneAcrossLongLists() {
        E[] es = new E[700];
        for (int k = 0; k < es.length; k++) es[k] = E.of(SYSENTER_CS, k);
        es[600] = E.of(0x1234_5678, 0);
        list(MsrArea.VM_ENTRY_LOAD, ENTRY_LIST, es);
        assertEquals(601, MsrAreas.loadOnEntry(vmcs, ram, cpu));
        assertEquals(599, guest(SYSENTER_CS), "entries 1..600 loaded, 602.. not");
    }

    /** A failing entry in either load list: its low quadword, data, and the rule it breaks. */
    static Stream<Arguments> loadFailures() {
        List<Arguments> a = new ArrayList<>();
        a.add(Arguments.of("IA32_FS_BASE", E.of(FS_BASE, 0x7000_0000L), MsrAreaRule.FS_GS_BASE));
        a.add(Arguments.of("IA32_GS_BASE", E.of(GS_BASE, 0), MsrAreaRule.FS_GS_BASE));
        a.add(Arguments.of("x2APIC 800H", E.of(0x800, 0), MsrAreaRule.X2APIC));
        a.add(Arguments.of("x2APIC ICR 830H", E.of(0x830, 0), MsrAreaRule.X2APIC));
        a.add(Arguments.of("x2APIC 8FFH", E.of(0x8FF, 0), MsrAreaRule.X2APIC));
        a.add(Arguments.of("7FFH: not x2APIC, unknown", E.of(0x7FF, 0), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("900H: not x2APIC, unknown", E.of(0x900, 0), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("C0000800H: not x2APIC, unknown", E.of(0xC000_0800, 0), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("IA32_SMM_MONITOR_CTL", E.of(0x9B, 0), MsrAreaRule.SMM_ONLY_WRITE));
        a.add(Arguments.of("IA32_BIOS_UPDT_TRIG", E.of(0x79, 0), MsrAreaRule.MODEL_SPECIFIC));
        a.add(Arguments.of("reserved bit 32", new E(1L << 32 | SYSENTER_CS, 8), MsrAreaRule.RESERVED_BITS));
        a.add(Arguments.of("reserved bit 63", new E(1L << 63 | SYSENTER_CS, 8), MsrAreaRule.RESERVED_BITS));
        a.add(Arguments.of("reserved bits with FS_BASE: the FS/GS rule comes first",
                new E(1L << 40 | FS_BASE & 0xFFFF_FFFFL, 0), MsrAreaRule.FS_GS_BASE));
        a.add(Arguments.of("unknown MSR 0", E.of(0, 0), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("unknown MSR FFFFFFFFH", E.of(-1, 0), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("non-canonical IA32_LSTAR", E.of(LSTAR, 0x0000_8000_0000_0000L), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("non-canonical IA32_SYSENTER_EIP", E.of(SYSENTER_EIP, 0x8000_0000_0000_0000L),
                MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("non-canonical IA32_KERNEL_GS_BASE", E.of(KERNEL_GS_BASE, 0x00FF_0000_0000_0000L),
                MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("reserved EFER bit 1", E.of(EFER, Msr.EFER_LME | Msr.EFER_LMA | 2), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("EFER.LME cleared while CR0.PG = 1", E.of(EFER, Msr.EFER_NXE), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("PAT type 2", E.of(PAT, 0x0007_0406_0007_0402L), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("IA32_FMASK bit 32", E.of(FMASK, 1L << 32), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("IA32_TSC_AUX bit 32", E.of(0xC000_0103, 1L << 32), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("IA32_APIC_BASE bit 9", E.of(0x1B, 0xFEE0_0B00L), MsrAreaRule.WRMSR_FAULT));
        a.add(Arguments.of("IA32_SMBASE: not writable (unknown here)", E.of(0x9E, 0), MsrAreaRule.WRMSR_FAULT));
        return a.stream();
    }

    /** Puts the failing entry third, between entries that load fine, in a 64-bit guest with paging on. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("loadFailures")
    void entryLoadFailsAtTheBrokenEntryAndKeepsEarlierOnes(String name, E bad, MsrAreaRule rule) {
        cpu.state.cr0 |= CpuState.CR0_PG;
        cpu.state.efer = Msr.EFER_LME | Msr.EFER_LMA;
        long fs = cpu.state.fs.base(), gs = cpu.state.gs.base(), efer = cpu.state.efer, pat = cpu.state.pat;
        long lstar = cpu.state.lstar, eip = cpu.state.sysenterEip;
        list(MsrArea.VM_ENTRY_LOAD, ENTRY_LIST,
                E.of(SYSENTER_CS, 0x10), E.of(SYSENTER_ESP, 0x1000), bad, E.of(STAR, 0x55));
        assertEquals(3, MsrAreas.loadOnEntry(vmcs, ram, cpu));
        assertEquals(0x10, guest(SYSENTER_CS), "entry 1 stays loaded");
        assertEquals(0x1000, guest(SYSENTER_ESP), "entry 2 stays loaded");
        assertEquals(0, guest(STAR), "entry 4 is not processed");
        assertEquals(fs, cpu.state.fs.base());
        assertEquals(gs, cpu.state.gs.base());
        assertEquals(efer, cpu.state.efer);
        assertEquals(pat, cpu.state.pat);
        assertEquals(lstar, cpu.state.lstar);
        assertEquals(eip, cpu.state.sysenterEip);

        MsrAreas.Failure f = MsrAreas.process(MsrArea.VM_ENTRY_LOAD, vmcs, ram, MsrAccess.guest(cpu));
        assertEquals(new MsrAreas.Failure(MsrArea.VM_ENTRY_LOAD, 3, (int) bad.low, rule), f);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loadFailures")
    void exitLoadFailsWithTheSameRulesIntoHostMsrs(String name, E bad, MsrAreaRule rule) {
        HostMsrs host = new HostMsrs();
        long guestCs = guest(SYSENTER_CS);
        list(MsrArea.VM_EXIT_LOAD, EXIT_LIST,
                E.of(SYSENTER_CS, 0x10), E.of(SYSENTER_ESP, 0x1000), bad, E.of(STAR, 0x55));
        assertEquals(3, MsrAreas.loadOnExit(vmcs, ram, host));
        assertEquals(OptionalLong.of(0x10), host.get(SYSENTER_CS));
        assertEquals(OptionalLong.of(0x1000), host.get(SYSENTER_ESP));
        assertEquals(OptionalLong.of(0), host.get(STAR));
        assertEquals(guestCs, guest(SYSENTER_CS), "the guest is not touched");
        MsrAreas.Failure f = MsrAreas.process(MsrArea.VM_EXIT_LOAD, vmcs, ram, new HostMsrs());
        assertEquals(new MsrAreas.Failure(MsrArea.VM_EXIT_LOAD, 3, (int) bad.low, rule), f);
        assertEquals(4, f.area().abortIndicator, "28.7: failure on loading host MSRs");
    }

    @Test
    void exitLoadSucceedsIntoHostMsrs() {
        HostMsrs host = new HostMsrs();
        list(MsrArea.VM_EXIT_LOAD, EXIT_LIST,
                E.of(LSTAR, 0xFFFF_FFFF_8100_0000L),
                E.of(EFER, Msr.EFER_LME | Msr.EFER_SCE), // LME kept, NXE cleared; LMA stays (the processor owns it)
                E.of(PAT, Msr.PAT_DEFAULT),
                E.of(KERNEL_GS_BASE, 0xFFFF_8880_0000_0000L));
        assertEquals(0, MsrAreas.loadOnExit(vmcs, ram, host));
        assertEquals(OptionalLong.of(0xFFFF_FFFF_8100_0000L), host.get(LSTAR));
        assertEquals(OptionalLong.of(Msr.EFER_LME | Msr.EFER_LMA | Msr.EFER_SCE), host.get(EFER));
        assertEquals(OptionalLong.of(Msr.PAT_DEFAULT), host.get(PAT));
        assertEquals(OptionalLong.of(0xFFFF_8880_0000_0000L), host.get(KERNEL_GS_BASE));
        assertTrue(host.get(0x1234).isEmpty());
        assertFalse(host.set(FS_BASE, 1L << 60), "non-canonical base: WRMSR would #GP");
        assertTrue(host.set(FS_BASE, 0x7000), "FS.base by WRMSR is fine; only the lists refuse it");
    }

    // ---- VM-exit MSR-store (28.4)

    @Test
    void storeWritesCurrentGuestValuesIntoBits127To64Only() {
        cpu.state.sysenterCs = 0x10;
        cpu.state.lstar = 0xFFFF_FFFF_8120_0000L;
        cpu.state.fs.setBase(0x7F00_1234_0000L);
        cpu.state.gs.setBase(0xFFFF_8880_0000_1000L);
        cpu.state.kernelGsBase = 0x1000;
        cpu.state.tscAux = 3;
        list(MsrArea.VM_EXIT_STORE, STORE_LIST,
                E.of(SYSENTER_CS, -1L), E.of(LSTAR, -1L), E.of(FS_BASE, -1L), E.of(GS_BASE, -1L),
                E.of(KERNEL_GS_BASE, -1L), E.of(EFER, -1L), E.of(PAT, -1L), E.of(0xC000_0103, -1L), E.of(TSC, -1L),
                E.of(0x1B, -1L));
        assertEquals(0, MsrAreas.storeOnExit(vmcs, ram, cpu));
        long[] want = {0x10, 0xFFFF_FFFF_8120_0000L, 0x7F00_1234_0000L, 0xFFFF_8880_0000_1000L, 0x1000,
                cpu.state.efer, Msr.PAT_DEFAULT, 3, 1_000_000L, Msr.APIC_BASE_DEFAULT_BSP};
        for (int k = 0; k < want.length; k++) assertEquals(want[k], data(STORE_LIST, k), "entry " + (k + 1));
        assertEquals(SYSENTER_CS, ram.read(STORE_LIST, 8), "bits 63:0 are not written");
        assertEquals(FS_BASE & 0xFFFF_FFFFL, ram.read(STORE_LIST + 32, 8));
    }

    static Stream<Arguments> storeFailures() {
        return Stream.of(
                Arguments.of("x2APIC 800H", E.of(0x800, 0), MsrAreaRule.X2APIC),
                Arguments.of("x2APIC 8FFH", E.of(0x8FF, 0), MsrAreaRule.X2APIC),
                Arguments.of("IA32_SMBASE", E.of(0x9E, 0), MsrAreaRule.SMM_ONLY_READ),
                Arguments.of("IA32_BIOS_SIGN_ID", E.of(0x8B, 0), MsrAreaRule.MODEL_SPECIFIC),
                Arguments.of("reserved bit 32", new E(1L << 32 | SYSENTER_CS, 0), MsrAreaRule.RESERVED_BITS),
                Arguments.of("reserved bits 63:32 all set", new E(0xFFFF_FFFF_0000_0000L | SYSENTER_CS, 0),
                        MsrAreaRule.RESERVED_BITS),
                Arguments.of("unknown MSR 0", E.of(0, 0), MsrAreaRule.RDMSR_FAULT),
                Arguments.of("unknown MSR C0000104H", E.of(0xC000_0104, 0), MsrAreaRule.RDMSR_FAULT),
                Arguments.of("IA32_SMM_MONITOR_CTL: unknown here", E.of(0x9B, 0), MsrAreaRule.RDMSR_FAULT),
                Arguments.of("IA32_BIOS_UPDT_TRIG: unknown here", E.of(0x79, 0), MsrAreaRule.RDMSR_FAULT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("storeFailures")
    void storeFailsAtTheBrokenEntryAndKeepsEarlierStores(String name, E bad, MsrAreaRule rule) {
        cpu.state.sysenterCs = 0x10;
        cpu.state.star = 0x99;
        list(MsrArea.VM_EXIT_STORE, STORE_LIST, E.of(SYSENTER_CS, 7), bad, E.of(STAR, 7));
        assertEquals(2, MsrAreas.storeOnExit(vmcs, ram, cpu));
        assertEquals(0x10, data(STORE_LIST, 0), "entry 1 stored");
        assertEquals(bad.data, data(STORE_LIST, 1), "the failing entry is untouched");
        assertEquals(7, data(STORE_LIST, 2), "entry 3 not processed");
        MsrAreas.Failure f = MsrAreas.process(MsrArea.VM_EXIT_STORE, vmcs, ram, MsrAccess.guest(cpu));
        assertEquals(new MsrAreas.Failure(MsrArea.VM_EXIT_STORE, 2, (int) bad.low, rule), f);
        assertEquals(1, f.area().abortIndicator, "28.7: failure in saving guest MSRs");
    }

    @Test
    void fsAndGsBaseMayBeStoredButNotLoaded() {
        assertNull(MsrAreaRule.firstBroken(MsrArea.VM_EXIT_STORE, FS_BASE & 0xFFFF_FFFFL));
        assertEquals(MsrAreaRule.FS_GS_BASE, MsrAreaRule.firstBroken(MsrArea.VM_ENTRY_LOAD, GS_BASE & 0xFFFF_FFFFL));
        assertEquals(MsrAreaRule.FS_GS_BASE, MsrAreaRule.firstBroken(MsrArea.VM_EXIT_LOAD, FS_BASE & 0xFFFF_FFFFL));
        assertEquals(0, MsrArea.VM_ENTRY_LOAD.abortIndicator, "an entry-list failure is a VM-entry failure, no abort");
    }

    /** Random lists of known MSRs with values WRMSR accepts: load, then store back, round-trips. */
    @Test
    void randomLoadThenStoreRoundTrips() {
        java.util.Random r = new java.util.Random(27_4);
        int[] msrs = {SYSENTER_CS, SYSENTER_ESP, SYSENTER_EIP, STAR, LSTAR, 0xC000_0083, FMASK, KERNEL_GS_BASE,
                0xC000_0103};
        for (int round = 0; round < 200; round++) {
            int n = 1 + r.nextInt(20);
            E[] load = new E[n];
            E[] store = new E[n];
            java.util.Map<Integer, Long> last = new java.util.HashMap<>();
            for (int k = 0; k < n; k++) {
                int m = msrs[r.nextInt(msrs.length)];
                long v = switch (m) {
                    case FMASK, 0xC000_0103 -> r.nextLong() & 0xFFFF_FFFFL;
                    case SYSENTER_CS, STAR -> r.nextLong();
                    default -> r.nextLong() >> 16; // canonical
                };
                load[k] = E.of(m, v);
                store[k] = E.of(m, 0);
                last.put(m, v);
            }
            list(MsrArea.VM_ENTRY_LOAD, ENTRY_LIST, load);
            assertEquals(0, MsrAreas.loadOnEntry(vmcs, ram, cpu));
            list(MsrArea.VM_EXIT_STORE, STORE_LIST, store);
            assertEquals(0, MsrAreas.storeOnExit(vmcs, ram, cpu));
            for (int k = 0; k < n; k++) {
                assertEquals(last.get((int) store[k].low), data(STORE_LIST, k), "round " + round + " entry " + k);
            }
        }
    }
}
