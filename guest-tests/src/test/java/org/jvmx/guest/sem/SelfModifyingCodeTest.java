package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;

/**
 * Self-modifying code, natively and in both tiers: a loop that patches the immediate of its
 * own ADD on every iteration (the write must invalidate the translated block and the next
 * iteration must run the new bytes), a store that rewrites the very next instruction of the
 * same block, a patch of a branch displacement, and code rewritten by REP MOVSB.
 */
class SelfModifyingCodeTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        List<String> code = new ArrayList<>();
        // 1..n summed through a patched immediate: add eax, imm8 is 83 C0 ib.
        for (int n : new int[] {1, 2, 10, 100, 120}) {
            code.add("mov ecx, " + n + "\nxor eax, eax\nlea rdx, [rip + 1f]\n"
                    + "1: add eax, 1\ninc byte ptr [rdx + 2]\nloop 1b\n");
        }
        // A 32-bit immediate patched with the loop counter: mov esi, imm32 is BE id.
        code.add("mov ecx, 50\nxor eax, eax\nlea rdx, [rip + 1f]\n"
                + "1: mov esi, 0\nadd eax, esi\nmov [rdx + 1], ecx\nloop 1b\n");
        // The store rewrites the next instruction of the same straight-line block.
        code.add("lea rdx, [rip + 1f]\nmov byte ptr [rdx + 1], 0x42\n1: mov al, 0x17\nnop\n");
        code.add("lea rdx, [rip + 1f]\nmov dword ptr [rdx], 0x90909090\n1: ud2\nud2\n");
        // Patch a conditional branch's displacement so it is taken to a different place.
        code.add("lea rdx, [rip + 1f]\nmov ecx, 3\nxor eax, eax\n"
                + "2: add eax, ecx\nmov byte ptr [rdx + 1], 0\n1: jmp 3f\n3: loop 2b\n");
        // REP MOVSB copies new code over old.
        code.add("lea rsi, [rip + 2f]\nlea rdi, [rip + 1f]\nmov ecx, 5\nrep movsb\n"
                + "1: mov eax, 1\njmp 3f\n2: mov eax, 99\n3:\n");
        List<byte[]> bytes = Gas.assemble(code);
        List<HostCase> cases = new ArrayList<>();
        for (byte[] b : bytes) cases.add(new HostCase(HostState.initial(), b));
        return cases;
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
