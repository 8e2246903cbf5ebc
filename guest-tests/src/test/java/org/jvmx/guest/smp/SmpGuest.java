package org.jvmx.guest.smp;

import java.util.ArrayList;
import java.util.List;
import org.jvmx.guest.host.Gas;
import org.jvmx.translator.exec.Engine;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * A guest of N vCPUs sharing one identity-mapped 64-bit address space, running one program
 * assembled with GNU as. Every vCPU starts at {@link #CODE} with RDI = {@link #DATA}, ESI = its
 * index, R8 = the number of vCPUs and its own stack; the test sets the rest.
 */
final class SmpGuest implements AutoCloseable {
    static final long RAM = 64L << 20;
    static final long CODE = 0x10_0000;
    static final long DATA = 0x20_0000;
    /** Large per-iteration arrays (litmus variables and results) from here on. */
    static final long BIG = 0x40_0000;
    private static final long STACKS = 0x3F_0000;

    final Vm vm;
    final List<Vcpu> vcpus = new ArrayList<>();

    SmpGuest(Engine.Tier tier, int cpus, String program) {
        vm = Vm.create();
        vm.setTier(tier);
        vm.addRam(0, RAM);
        long cr3 = vm.identityMap(0x1000, RAM);
        vm.write(CODE, Gas.assemble(program));
        for (int k = 0; k < cpus; k++) {
            Vcpu v = vm.createVcpu();
            v.vmwrite(VmcsFields.GUEST_CR3, cr3);
            v.vmwrite(VmcsFields.GUEST_RIP, CODE);
            v.vmwrite(VmcsFields.CPU_BASED_VM_EXEC_CONTROL,
                    v.vmread(VmcsFields.CPU_BASED_VM_EXEC_CONTROL) | Controls.PROC_PAUSE_EXITING);
            v.setReg(Reg.RSP, STACKS - k * 0x1_0000L);
            v.setReg(Reg.RDI, DATA);
            v.setReg(Reg.RSI, k);
            v.setReg(Reg.R8, cpus);
            vcpus.add(v);
        }
    }

    /** Sets {@code r} on every vCPU. */
    SmpGuest reg(Reg r, long value) {
        for (Vcpu v : vcpus) v.setReg(r, value);
        return this;
    }

    List<VmExit> run(long timeoutSeconds) throws InterruptedException {
        return ScheduledVcpus.runAll(vcpus, timeoutSeconds);
    }

    long read(long gpa, int size) {
        return vm.readValue(gpa, size);
    }

    @Override
    public void close() {
        vm.close();
    }
}
