package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * Privileged and sensitive instructions at CPL 3 fault as on the host (#GP for HLT, I/O,
 * CLI/STI, RDMSR/WRMSR, MOV CR/DR, INVLPG, WBINVD, SWAPGS, LGDT/LIDT, LLDT/LTR, CLTS), #UD for
 * UD0/UD1/UD2 and the VMX instructions outside VMX operation, the INT3 trap with RIP after it, LOCK on forms that do not allow it (#UD), and the
 * unprivileged fences, flushes and prefetches.
 * (CPUID and RDTSC answer differently by design; {@code SensitiveInterfaceTest} covers them.)
 */
class SystemOpsTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        List<String> code = List.of("hlt\n", "in al, 0x60\n", "out 0x80, al\n", "in eax, dx\n", "out dx, ax\n",
                "insb\n", "outsb\n", "cli\n", "sti\n", "rdmsr\n", "wrmsr\n", "mov rax, cr0\n", "mov cr3, rax\n",
                "mov rax, dr7\n", "mov dr0, rax\n", "invlpg [rbx]\n", "wbinvd\n", "invd\n", "swapgs\n", "lgdt [rbx]\n",
                "lidt [rbx]\n", "lldt ax\n", "ltr ax\n", "lldt word ptr [rbx]\n", "ltr word ptr [rbx]\n", "clts\n",
                "lmsw ax\n", "ud2\n", "ud1 eax, [rbx]\n", "ud0 eax, [rbx]\n", "int3\n",
                "lfence\nmfence\nsfence\n", "clflush [rbx]\n", "clflushopt [rbx+64]\n",
                "prefetchnta [rbx]\nprefetcht0 [rcx]\nprefetcht1 [rbx]\nprefetcht2 [rbx]\nprefetchw [rcx]\n",
                "clflush [rcx]\n", "pause\n", "int3\nint3\n",
                // VMX instructions outside VMX operation: #UD (no hypervisor underneath either side).
                "vmxon [rbx]\n", "vmxoff\n", "vmclear [rbx]\n", "vmptrld [rbx]\n", "vmptrst [rbx]\n",
                "vmread rax, rbx\n", "vmwrite rbx, rax\n", "vmlaunch\n", "vmresume\n", "invept rax, [rbx]\n",
                "invvpid rax, [rbx]\n",
                // INT n through a DPL-0 gate (SIGSEGV on Linux; the harness models that) and IRET to a null CS: #GP.
                "int 0x30\n", "int 0x0e\n", "push 0x13\npush rsp\npushfq\npush 0\npush 0\niretq\n",
                "push 0\npush 0\npush 0\niretd\n", "push 0\npush 0\niretw\n",
                // LOCK on a form that does not allow it: #UD (SDM Vol. 2A, LOCK).
                ".byte 0xf0, 0x48, 0x89, 0xc8\n", ".byte 0xf0, 0x48, 0x01, 0xc8\n", ".byte 0xf0, 0x90\n",
                ".byte 0xf0, 0x48, 0x8b, 0x03\n", ".byte 0xf0, 0x0f, 0xa2\n");
        HostState s = HostState.initial().withGpr(HostState.RBX, HostCpu.SCRATCH_BASE + 0x40)
                .withGpr(HostState.RCX, 0x7000).withGpr(HostState.RSI, HostCpu.SCRATCH_BASE)
                .withGpr(HostState.RDI, HostCpu.SCRATCH_BASE + 0x100);
        List<byte[]> bytes = Gas.assemble(code);
        List<HostCase> cases = new ArrayList<>();
        for (byte[] b : bytes) cases.add(new HostCase(s, b));
        return cases;
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
