package org.jvmx.translator.jit;

import org.jvmx.decoder.Instruction;
import org.jvmx.translator.exec.Block;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.LeaveRequest;
import org.jvmx.translator.mem.GuestFault;

/**
 * The rare case compiled code does not handle itself: {@link Cpu#stopAt} lies inside the
 * entry block (a debugger or test stops mid-block). The block then runs instruction by
 * instruction through its semantics, stopping exactly where the interpreter would, with the
 * same RIP and counter rules on faults and leave requests.
 */
final class StepThrough {
    private StepThrough() {
    }

    /** Called by generated code (same runtime package). */
    static void run(Cpu c, Block b) {
        Instruction[] insns = b.insns;
        int k = 0;
        try {
            for (; k < insns.length; k++) {
                long n = insns[k].nextIp();
                c.state.rip = n;
                b.semantics[k].execute(c, insns[k]);
                if (c.pendingLeave != null) { // a VM exit before this instruction: the engine returns it
                    c.state.rip = insns[k].ip();
                    break;
                }
                if (c.state.rip != n || c.codeWritten || n == c.stopAt) {
                    k++;
                    break;
                }
            }
        } catch (GuestFault f) {
            c.state.rip = insns[k].ip();
            count(c, k);
            throw f;
        } catch (LeaveRequest r) {
            c.state.rip = r.completed ? insns[k].nextIp() : insns[k].ip();
            count(c, r.completed ? k + 1 : k);
            throw r;
        }
        count(c, k);
    }

    private static void count(Cpu c, int k) {
        c.stats.interpreted += k;
        c.budget -= k;
    }
}
