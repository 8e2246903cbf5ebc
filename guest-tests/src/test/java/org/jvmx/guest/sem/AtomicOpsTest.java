package org.jvmx.guest.sem;

import static org.jvmx.guest.host.HostState.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;

/**
 * XCHG with memory, XADD, CMPXCHG, CMPXCHG8B, CMPXCHG16B against the host CPU: every size,
 * register and memory destinations, with and without LOCK, comparisons that succeed and fail,
 * and #GP(0) for a CMPXCHG16B operand that is not 16-byte aligned.
 */
class AtomicOpsTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        IntegerArithTest.Kit k = new IntegerArithTest.Kit(0xa70c_0006L);
        for (int bits : IntegerArithTest.Kit.SIZES) {
            for (int n = 0; n < 20; n++) {
                k.add("xchg " + k.mem(bits) + ", " + k.c(bits));
                k.add("lock xchg " + k.mem(bits) + ", " + k.r9(bits));
                k.add("xchg " + k.d(bits) + ", " + k.mem(bits));
                k.add("xadd " + k.a(bits) + ", " + k.c(bits));
                k.add("xadd " + k.a(bits) + ", " + k.a(bits));
                k.add("xadd " + k.mem(bits) + ", " + k.d(bits));
                k.add("lock xadd " + k.mem(bits) + ", " + k.r9(bits));
                for (String lock : new String[] { "", "lock " }) {
                    // equal half of the time: the accumulator loaded from the destination first
                    String m = k.mem(bits);
                    boolean eq = k.r.nextBoolean();
                    k.add((eq ? "mov " + k.a(bits) + ", " + m + "\n" : "") + lock + "cmpxchg " + m + ", " + k.c(bits));
                }
                boolean eq = k.r.nextBoolean();
                k.add((eq ? "mov " + k.a(bits) + ", " + k.d(bits) + "\n" : "") + "cmpxchg " + k.d(bits) + ", " + k.r9(bits));
                k.add("cmpxchg " + k.a(bits) + ", " + k.c(bits));
            }
        }
        for (int n = 0; n < 20; n++) {
            for (String lock : new String[] { "", "lock " }) {
                boolean eq = k.r.nextBoolean();
                String load = eq ? "mov eax, [rdi+8]\nmov edx, [rdi+12]\n" : "";
                k.add(load + lock + "cmpxchg8b qword ptr [rdi+8]");
                load = eq ? "mov rax, [rdi+16]\nmov rdx, [rdi+24]\n" : "";
                k.add(load + lock + "cmpxchg16b xmmword ptr [rdi+16]");
                // equal low half only
                k.add("mov rax, [rdi]\n" + lock + "cmpxchg16b xmmword ptr [rdi]");
            }
        }
        HostState s = k.state();
        k.add("lock cmpxchg16b xmmword ptr [rdi+8]", s);
        k.add("cmpxchg16b xmmword ptr [rdi+4]", s);
        k.add("cmpxchg8b qword ptr [rdi+3]", s); // no alignment requirement
        k.add("lock cmpxchg8b qword ptr [rdi+0x4000]", s);
        k.add("lock xchg qword ptr [rdi+0x4000], rax", s);
        return k.cases();
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
