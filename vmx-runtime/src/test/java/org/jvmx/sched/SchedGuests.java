package org.jvmx.sched;

import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * Small guests for scheduler tests, built with the embedding API: 4 MiB of RAM identity-mapped,
 * the VMCS template's GDT (0x2000) and IDT (0x4000), one code page, stack and data area per vCPU.
 */
final class SchedGuests implements AutoCloseable {
    static final long TABLES = 0x8000, GDT = 0x2000, IDT = 0x4000, CODE = 0x10000, HANDLER = 0x18000;
    static final long DATA = 0x10_0000, STACKS = 0x30_0000;

    /**
     * Sums RCX + (RCX-1) + ... + 1 into RAX, storing the running sum at [RBX] every iteration,
     * then VMCALL: {@code xor eax,eax; 1: add rax,rcx; mov [rbx],rax; dec rcx; jnz 1b; vmcall}.
     */
    static final String SUM = "31c0 4801c8 488903 48ffc9 75f5 0f01c1";
    /**
     * As {@link #SUM} with a VMCALL in every iteration (after the store, RCX not yet decremented),
     * ending in HLT: {@code xor eax,eax; 1: add rax,rcx; mov [rbx],rax; vmcall; dec rcx; jnz 1b; hlt}.
     */
    static final String SUM_CALLING = "31c0 4801c8 488903 0f01c1 48ffc9 75f2 f4";
    /** HLT, then {@code mov eax, 42; vmcall} once an interrupt ended the halt. */
    static final String HALT_THEN_42 = "f4 b82a000000 0f01c1";

    final Vm vm = Vm.create();
    private final long cr3;

    SchedGuests() {
        vm.addRam(0, 4 << 20);
        cr3 = vm.identityMap(TABLES, 4 << 20);
        vm.writeValue(GDT + 8, 8, 0x00AF_9A00_0000_FFFFL); // 0x08: 64-bit code, DPL 0
        vm.writeValue(GDT + 16, 8, 0x00CF_9200_0000_FFFFL); // 0x10: data
        vm.write(HANDLER, hex("48cf")); // iretq
    }

    /** Loads {@code codeHex} at CODE + 0x1000 * slot. */
    long code(int slot, String codeHex) {
        long at = CODE + 0x1000L * slot;
        vm.write(at, hex(codeHex));
        return at;
    }

    /** A vCPU at {@code rip} with its own stack and its data quadword at {@link #data}. */
    Vcpu vcpu(long rip) {
        Vcpu v = vm.createVcpu();
        v.vmwrite(VmcsFields.GUEST_CR3, cr3);
        v.vmwrite(VmcsFields.GUEST_RIP, rip);
        v.vmwrite(VmcsFields.GUEST_RSP, STACKS - 0x1000L * v.id());
        v.setReg(Reg.RBX, data(v));
        return v;
    }

    static long data(Vcpu v) {
        return DATA + 0x1000L * v.id(); // a page each: no false sharing between vCPUs
    }

    /** IDT gate {@code vector}: an interrupt gate to the IRETQ at HANDLER. */
    void gateToIret(int vector) {
        long low = (HANDLER & 0xFFFF) | 0x08L << 16 | 0xEL << 40 | 1L << 47 | ((HANDLER >>> 16) & 0xFFFF) << 48;
        vm.writeValue(IDT + 16L * vector, 8, low);
        vm.writeValue(IDT + 16L * vector + 8, 8, HANDLER >>> 32);
    }

    static byte[] hex(String h) {
        h = h.replace(" ", "");
        byte[] b = new byte[h.length() / 2];
        for (int k = 0; k < b.length; k++) b[k] = (byte) Integer.parseInt(h.substring(2 * k, 2 * k + 2), 16);
        return b;
    }

    static long sum(long n) {
        return n * (n + 1) / 2;
    }

    @Override
    public void close() {
        vm.close();
    }
}
