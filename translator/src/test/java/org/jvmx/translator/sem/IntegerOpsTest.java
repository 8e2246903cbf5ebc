package org.jvmx.translator.sem;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.mem.PhysicalMemory;

/**
 * LOCK XADD is atomic between vCPUs: two {@link Cpu}s over the same guest RAM, each on its own
 * thread, add to one shared quadword through the interpreter; no update may be lost. Thread 0 adds
 * 1 and thread 1 adds 2^32 each time, so both halves of the final sum must be exact.
 */
class IntegerOpsTest {
    private static final long CODE = 0x1000, COUNTER = 0x8000;
    private static final int UNROLL = 400, ROUNDS = 250;

    /** {@code lock xadd [rbx], rcx} then {@code mov rcx, rdx} (the increment again), UNROLL times. */
    private static byte[] program() {
        byte[] one = { (byte) 0xF0, 0x48, 0x0F, (byte) 0xC1, 0x0B, 0x48, (byte) 0x89, (byte) 0xD1 };
        byte[] code = new byte[one.length * UNROLL];
        for (int k = 0; k < UNROLL; k++) System.arraycopy(one, 0, code, k * one.length, one.length);
        return code;
    }

    @Test
    void lockXaddLosesNoUpdate() throws Exception {
        try (PhysicalMemory ram = new PhysicalMemory()) {
            ram.addRam(0, 0x10000);
            byte[] code = program();
            for (int k = 0; k < code.length; k++) ram.write(CODE + k, 1, code[k]);
            long[] increments = { 1, 1L << 32 };
            Throwable[] failure = new Throwable[2];
            CyclicBarrier start = new CyclicBarrier(2);
            Thread[] threads = new Thread[2];
            for (int t = 0; t < 2; t++) {
                int id = t;
                threads[t] = new Thread(() -> {
                    try {
                        Cpu c = Cpu.flat64(ram, false);
                        c.gpr[3] = COUNTER;
                        c.gpr[2] = increments[id];
                        c.stopAt = CODE + code.length;
                        try (Engine e = new Engine(c, Engine.Tier.INTERPRET, null)) {
                            start.await();
                            for (int r = 0; r < ROUNDS; r++) {
                                c.state.rip = CODE;
                                c.gpr[1] = increments[id];
                                Exit x = e.run(Long.MAX_VALUE);
                                assertEquals(Exit.Kind.STOPPED, x.kind(), x.toString());
                            }
                        }
                    } catch (Throwable ex) {
                        failure[id] = ex;
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) t.join();
            for (Throwable f : failure) if (f != null) throw new AssertionError(f);
            long n = (long) UNROLL * ROUNDS;
            assertEquals(n + (n << 32), ram.read(COUNTER, 8));
        }
    }
}
