package org.jvmx.monitor;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Msr;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * Runs a guest's paging-off protected-mode phase (a Multiboot kernel's 32-bit entry, an
 * application processor after its start-up code, until it turns paging on itself) under VMX
 * without "unrestricted guest", which the SDM allows only with EPT: the technique hypervisors
 * used before both existed. The vCPU really runs in legacy protected mode with 32-bit paging on
 * the monitor's identity page directory (4 MiB pages over the 4 GiB, so linear = physical),
 * while the guest sees CR0.PG = 0, CR4 and EFER as it set them and CR3 as it wrote it: CR0.PG
 * and CR4.PSE/PAE are host-owned with read shadows, MOV to/from CR3 exits, and EFER accesses
 * (every RDMSR/WRMSR exits) are answered from a shadow. Since the processor is not in IA-32e
 * mode, the guest's events go through its own 8-byte IDT gates exactly as with paging off.
 * When the guest sets CR0.PG, its own page tables take over, the masks are cleared and the
 * phase ends: with EFER.LME and CR4.PAE it enters long mode (the VM-entry control "IA-32e mode
 * guest" is set); without EFER.LME it stays in legacy protected mode with 32-bit paging, or
 * PAE paging when CR4.PAE is set (SDM Vol. 3C, 27.3.1.1 allows such a guest with CR0.PG = 1).
 */
final class PagingOffPhase {
    private static final long EFER = 0xC000_0080L;
    private static final long CR4_VMXE = 1L << 13;
    /** The CR4 bits the monitor owns during the phase (its paging mode, and VMX operation). */
    private static final long OWNED_CR4 = CpuState.CR4_PSE | CpuState.CR4_PAE | CR4_VMXE;
    /** A 4 MiB page-directory entry: present, writable, user, page size (SDM Vol. 3A, Table 4-4). */
    private static final long PDE_4M = 0x87;

    private final Vcpu cpu;
    private boolean active;
    private long cr0, cr3, cr4, efer;

    PagingOffPhase(Vcpu cpu) {
        this.cpu = cpu;
    }

    boolean active() {
        return active;
    }

    /**
     * Writes the monitor's identity page directory at {@code at} (one 4 KiB page: 1024 entries
     * of 4 MiB mapping linear [0, 4 GiB) to itself) and returns it as a CR3 value. Every
     * processor's phase uses the same directory.
     */
    static long identityDirectory(Vm vm, long at) {
        if ((at & 0xFFF) != 0 || at + 4096 > 1L << 32) throw new IllegalArgumentException("page directory at " + at);
        byte[] pd = new byte[4096];
        for (int i = 0; i < 1024; i++) {
            long e = (long) i << 22 | PDE_4M;
            for (int b = 0; b < 4; b++) pd[4 * i + b] = (byte) (e >>> 8 * b);
        }
        vm.write(at, pd);
        return at;
    }

    /**
     * Starts the phase from the guest state the vCPU has (CR0.PE = 1, PG = 0, 32-bit segments;
     * CR4 as in its read shadow) on the identity directory {@link #identityDirectory} built.
     */
    void begin(long directory) {
        active = true;
        cr0 = cpu.vmread(VmcsFields.GUEST_CR0);
        cr4 = cpu.vmread(VmcsFields.CR4_READ_SHADOW) & ~CR4_VMXE;
        cr3 = 0;
        efer = 0;
        cpu.vmwrite(VmcsFields.GUEST_CR0, cr0 | CpuState.CR0_PG | CpuState.CR0_NE | CpuState.CR0_PE);
        cpu.vmwrite(VmcsFields.CR0_GUEST_HOST_MASK, CpuState.CR0_PG | CpuState.CR0_NE);
        cpu.vmwrite(VmcsFields.CR0_READ_SHADOW, cr0);
        cpu.vmwrite(VmcsFields.GUEST_CR4, (cr4 & ~OWNED_CR4) | CpuState.CR4_PSE | CR4_VMXE);
        cpu.vmwrite(VmcsFields.CR4_GUEST_HOST_MASK, OWNED_CR4);
        cpu.vmwrite(VmcsFields.CR4_READ_SHADOW, cr4);
        cpu.vmwrite(VmcsFields.GUEST_CR3, directory);
        cpu.vmwrite(VmcsFields.GUEST_IA32_EFER, 0);
        cpu.vmwrite(VmcsFields.VM_ENTRY_CONTROLS, (cpu.vmread(VmcsFields.VM_ENTRY_CONTROLS)
                | Controls.ENTRY_LOAD_EFER) & ~Controls.ENTRY_IA32E_MODE_GUEST);
        cpu.vmwrite(VmcsFields.CPU_BASED_VM_EXEC_CONTROL, cpu.vmread(VmcsFields.CPU_BASED_VM_EXEC_CONTROL)
                | Controls.PROC_CR3_LOAD_EXITING | Controls.PROC_CR3_STORE_EXITING);
    }

    /** Serves a control-register exit of the phase; false when it is not one. */
    boolean controlRegister(VmExit x) {
        if (!active) return false;
        int n = x.crNumber(), type = x.crAccessType();
        if (type == 1 && n == 3) { // MOV from CR3: the value the guest wrote
            cpu.setReg(Reg.of(x.gpr()), cr3);
        } else if (type == 0 && n == 3) {
            cr3 = x.data();
        } else if (type == 0 && n == 4) {
            // The MOV exited because it changes an owned bit; the bits the guest owns take effect too.
            cr4 = x.data();
            cpu.vmwrite(VmcsFields.CR4_READ_SHADOW, cr4);
            cpu.vmwrite(VmcsFields.GUEST_CR4, (cr4 & ~OWNED_CR4) | (cpu.vmread(VmcsFields.GUEST_CR4) & OWNED_CR4));
        } else if (type == 0 && n == 0) {
            long v = x.data();
            if ((v & CpuState.CR0_PG) != 0) {
                if (!enableGuestPaging(v)) return true; // #GP injected: the MOV does not complete
            } else {
                cr0 = v;
                cpu.vmwrite(VmcsFields.CR0_READ_SHADOW, v);
                cpu.vmwrite(VmcsFields.GUEST_CR0, v | CpuState.CR0_PG | CpuState.CR0_NE | CpuState.CR0_PE);
            }
        } else {
            return false; // CLTS/LMSW: the guest-owned bits are the guest's own
        }
        cpu.skipInstruction();
        return true;
    }

    /**
     * The guest turns paging on (SDM Vol. 3A, 10.8.5 for long mode, 9.9.1 for protected mode):
     * its CR3 and CR4 become the real ones. EFER.LME without CR4.PAE is #GP(0) on hardware, and
     * is injected as such with the guest still in its paging-off phase (false).
     */
    private boolean enableGuestPaging(long v) {
        boolean longMode = (efer & Msr.EFER_LME) != 0;
        if (longMode && (cr4 & CpuState.CR4_PAE) == 0) {
            cpu.vmwrite(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, (13 | Controls.INTR_TYPE_HARDWARE_EXCEPTION << 8
                    | Controls.INTR_INFO_DELIVER_ERROR_CODE | Controls.INTR_INFO_VALID) & 0xFFFF_FFFFL);
            cpu.vmwrite(VmcsFields.VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
            return false;
        }
        active = false;
        // CR4 bits outside the mask (PGE, OSFXSR...) change without an exit: take them from the real CR4.
        cr4 = (cpu.vmread(VmcsFields.GUEST_CR4) & ~OWNED_CR4) | (cr4 & OWNED_CR4);
        cpu.vmwrite(VmcsFields.GUEST_CR3, cr3);
        cpu.vmwrite(VmcsFields.GUEST_CR4, cr4 | CR4_VMXE);
        cpu.vmwrite(VmcsFields.CR4_GUEST_HOST_MASK, CR4_VMXE);
        cpu.vmwrite(VmcsFields.CR4_READ_SHADOW, cr4);
        cpu.vmwrite(VmcsFields.GUEST_CR0, v | CpuState.CR0_NE);
        cpu.vmwrite(VmcsFields.CR0_GUEST_HOST_MASK, 0);
        cpu.vmwrite(VmcsFields.GUEST_IA32_EFER, longMode ? efer | Msr.EFER_LMA : efer);
        if (longMode) {
            cpu.vmwrite(VmcsFields.VM_ENTRY_CONTROLS, cpu.vmread(VmcsFields.VM_ENTRY_CONTROLS)
                    | Controls.ENTRY_IA32E_MODE_GUEST);
        }
        cpu.vmwrite(VmcsFields.CPU_BASED_VM_EXEC_CONTROL, cpu.vmread(VmcsFields.CPU_BASED_VM_EXEC_CONTROL)
                & ~(Controls.PROC_CR3_LOAD_EXITING | Controls.PROC_CR3_STORE_EXITING));
        return true;
    }

    /** Serves RDMSR/WRMSR of EFER during the phase from the shadow; false for anything else. */
    boolean msr(VmExit x, boolean write) {
        if (!active || x.msr() != (int) EFER) return false;
        if (write) {
            efer = x.data() & (Msr.EFER_SCE | Msr.EFER_LME | Msr.EFER_NXE);
            // SCE and NXE act at once; LME waits until the guest enables paging (with CR0.PG = 1
            // and IA-32e mode off, VM entry requires EFER.LME = 0, 27.3.1.1).
            cpu.vmwrite(VmcsFields.GUEST_IA32_EFER, efer & ~Msr.EFER_LME);
        } else {
            cpu.setReg(Reg.RAX, efer & 0xFFFF_FFFFL);
            cpu.setReg(Reg.RDX, efer >>> 32);
        }
        cpu.skipInstruction();
        return true;
    }
}
