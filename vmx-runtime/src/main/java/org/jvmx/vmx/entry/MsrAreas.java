package org.jvmx.vmx.entry;

import java.util.OptionalLong;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.vmx.vmcs.Vmcs;

/**
 * Processing of the VMCS MSR lists (SDM Vol. 3C): the VM-entry MSR-load list after guest state
 * is loaded (27.4), the VM-exit MSR-store list after guest state is saved (28.4) and the VM-exit
 * MSR-load list after host state is loaded (28.6). Entries are processed in order; processing
 * stops at the first entry that fails, and the entries before it keep their effect (the SDM
 * does not undo them). Counts are the 32-bit count fields; the addresses are physical and their
 * alignment is an entry check ({@link EntryRule#ENTRY_MSR_LOAD_AREA} and the two exit rules).
 *
 * <p>Entry format (Table 25-15): bits 31:0 MSR index, 63:32 reserved, 127:64 data. Stores write
 * only bits 127:64 and leave the index and reserved bits as they are.
 */
public final class MsrAreas {
    private MsrAreas() {
    }

    /**
     * Why list processing stopped.
     *
     * @param area  the list
     * @param entry the failing entry, 1 for the first (27.8: the exit qualification of a VM-entry
     *              failure due to MSR loading)
     * @param msr   bits 31:0 of that entry
     * @param rule  the first rule it breaks
     */
    public record Failure(MsrArea area, int entry, int msr, MsrAreaRule rule) {
        @Override
        public String toString() {
            return area + " entry " + entry + " (MSR " + Integer.toHexString(msr) + "H): " + rule.description();
        }
    }

    /**
     * VM entry, after guest-state loading (27.4): WRMSR of each entry of the VM-entry MSR-load
     * list into the guest in {@code c}.
     *
     * @return 0 when every entry was loaded; otherwise the 1-based number of the failing entry,
     *         for the VM-entry failure exit (reason 34 with bit 31 set, 27.8) whose qualification
     *         it is
     */
    public static int loadOnEntry(Vmcs vmcs, PhysicalMemory memory, Cpu c) {
        return entryOf(process(MsrArea.VM_ENTRY_LOAD, vmcs, memory, MsrAccess.guest(c)));
    }

    /**
     * VM exit, after the guest-state save (28.4): RDMSR of each entry's MSR from the guest in
     * {@code c} into bits 127:64 of the VM-exit MSR-store list.
     *
     * @return 0 when every entry was stored; otherwise the 1-based number of the failing entry:
     *         the SDM makes that a VMX abort with indicator {@link MsrArea#abortIndicator} 1
     *         (28.7), for the caller to record and shut the core down
     */
    public static int storeOnExit(Vmcs vmcs, PhysicalMemory memory, Cpu c) {
        return entryOf(process(MsrArea.VM_EXIT_STORE, vmcs, memory, MsrAccess.guest(c)));
    }

    /**
     * VM exit (and VM-entry failure, 27.8 step 4), after host state is loaded (28.6): WRMSR of
     * each entry of the VM-exit MSR-load list into the core's modelled host MSRs.
     *
     * @return 0 when every entry was loaded; otherwise the 1-based number of the failing entry:
     *         a VMX abort with indicator 4 ("failure on loading host MSRs", 28.7)
     */
    public static int loadOnExit(Vmcs vmcs, PhysicalMemory memory, HostMsrs host) {
        return entryOf(process(MsrArea.VM_EXIT_LOAD, vmcs, memory, host));
    }

    private static int entryOf(Failure f) {
        return f == null ? 0 : f.entry();
    }

    /**
     * Processes {@code area} of {@code vmcs} against {@code msrs}: loads for the two load lists,
     * stores for the store list.
     *
     * @return null when every entry was processed; otherwise the first failure
     */
    public static Failure process(MsrArea area, Vmcs vmcs, PhysicalMemory memory, MsrAccess msrs) {
        long count = vmcs.read(area.count) & 0xFFFF_FFFFL;
        if (count == 0) return null;
        long base = vmcs.read(area.address);
        for (long k = 0; k < count; k++) {
            long pa = base + k * MsrArea.ENTRY_BYTES;
            int entry = (int) (k + 1);
            long low = memory.read(pa, 8);
            int msr = (int) low;
            MsrAreaRule broken = MsrAreaRule.firstBroken(area, low);
            if (broken != null) return new Failure(area, entry, msr, broken);
            if (area.loads) {
                if (!msrs.write(msr, memory.read(pa + 8, 8))) return new Failure(area, entry, msr, MsrAreaRule.WRMSR_FAULT);
            } else {
                OptionalLong v = msrs.read(msr);
                if (v.isEmpty()) return new Failure(area, entry, msr, MsrAreaRule.RDMSR_FAULT);
                memory.write(pa + 8, 8, v.getAsLong());
            }
        }
        return null;
    }
}
