package org.jvmx.vm;

import org.jvmx.translator.exec.Engine;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * A small 64-bit guest for API tests: 2 MiB of RAM identity-mapped, a GDT with a 64-bit code
 * and a data segment at 0x2000 (the VMCS template's GDTR), an IDT at 0x4000 whose gates all
 * lead to handlers the test places, code at {@link #CODE} and the stack at the top of RAM.
 */
final class GuestMachine implements AutoCloseable {
    static final long TABLES = 0x8000, GDT = 0x2000, IDT = 0x4000, CODE = 0x10000, HANDLERS = 0x18000;
    static final long STACK_TOP = 0x20_0000, TSS = 0x5000, RSP0 = 0x1E_0000;

    final Vm vm = Vm.create();
    final Vcpu cpu;

    GuestMachine(Engine.Tier tier, String codeHex) {
        vm.setTier(tier);
        vm.addRam(0, 2 << 20);
        long cr3 = vm.identityMap(TABLES, 4 << 20); // RAM, and ROM and MMIO at 2-4 MiB
        vm.writeValue(GDT + 8, 8, 0x00AF_9A00_0000_FFFFL); // 0x08: 64-bit code, DPL 0
        vm.writeValue(GDT + 16, 8, 0x00CF_9200_0000_FFFFL); // 0x10: data
        vm.writeValue(GDT + 24, 8, 0x00AF_FA00_0000_FFFFL); // 0x1B: 64-bit code, DPL 3
        vm.writeValue(GDT + 32, 8, 0x00CF_F200_0000_FFFFL); // 0x23: data, DPL 3
        vm.writeValue(TSS + 4, 8, RSP0); // TSS.RSP0: the stack of a privilege change to ring 0
        vm.write(CODE, hex(codeHex));
        cpu = vm.createVcpu();
        cpu.vmwrite(VmcsFields.GUEST_CR3, cr3);
        cpu.vmwrite(VmcsFields.GUEST_RIP, CODE);
        cpu.vmwrite(VmcsFields.GUEST_RSP, STACK_TOP);
    }

    /** Points IDT gate {@code vector} at {@code handlerHex}, placed at HANDLERS + 0x100 * slot. */
    long handler(int vector, int slot, String handlerHex) {
        long at = HANDLERS + 0x100L * slot;
        vm.write(at, hex(handlerHex));
        long low = (at & 0xFFFF) | 0x08L << 16 | 0xEL << 40 | 1L << 47 | ((at >>> 16) & 0xFFFF) << 48;
        vm.writeValue(IDT + 16L * vector, 8, low);
        vm.writeValue(IDT + 16L * vector + 8, 8, at >>> 32);
        return at;
    }

    static byte[] hex(String h) {
        h = h.replace(" ", "");
        byte[] b = new byte[h.length() / 2];
        for (int k = 0; k < b.length; k++) b[k] = (byte) Integer.parseInt(h.substring(2 * k, 2 * k + 2), 16);
        return b;
    }

    @Override
    public void close() {
        vm.close();
    }
}
