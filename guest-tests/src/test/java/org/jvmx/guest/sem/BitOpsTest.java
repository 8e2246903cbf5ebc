package org.jvmx.guest.sem;

import static org.jvmx.guest.host.HostState.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/**
 * BT BTS BTR BTC (immediate and register offsets; register offsets into memory reaching beyond the
 * operand, negative ones too; LOCK'd forms), BSF BSR (zero source keeps the destination), POPCNT
 * LZCNT TZCNT, and the BMI ANDN BEXTR BLSI BLSMSK BLSR BZHI PDEP PEXT against the host CPU.
 */
class BitOpsTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        IntegerArithTest.Kit k = new IntegerArithTest.Kit(0xb170_0005L);
        for (String op : new String[] { "bt", "bts", "btr", "btc" }) {
            for (int bits : new int[] { 16, 32, 64 }) {
                for (int n = 0; n < 16; n++) {
                    int imm = k.r.nextInt(256);
                    k.add(op + " " + k.a(bits) + ", " + k.c(bits));
                    k.add(op + " " + k.a(bits) + ", " + imm);
                    k.add(op + " " + k.mem(bits) + ", " + imm);
                    // register offsets within +-0x2000 bits of [rdi] stay inside the scratch area
                    long off = k.r.nextInt(0x4000) - 0x2000;
                    k.add(op + " " + k.mem(bits) + ", " + k.d(bits), k.state().withGpr(RDX, off));
                    if (!op.equals("bt")) {
                        k.add("lock " + op + " " + k.mem(bits) + ", " + imm);
                        k.add("lock " + op + " " + k.mem(bits) + ", " + k.d(bits), k.state().withGpr(RDX, off));
                    }
                }
                k.add(op + " " + k.mem(bits) + ", " + k.d(bits), k.state().withGpr(RDX, 0x10000)); // far: #PF
            }
        }
        for (String op : new String[] { "bsf", "bsr", "popcnt", "lzcnt", "tzcnt" }) {
            for (int bits : new int[] { 16, 32, 64 }) {
                for (int n = 0; n < 20; n++) {
                    k.add(op + " " + k.a(bits) + ", " + k.c(bits));
                    k.add(op + " " + k.r9(bits) + ", " + k.mem(bits));
                }
                k.add(op + " " + k.a(bits) + ", " + k.c(bits), k.state().withGpr(RCX, 0));
                k.add(op + " " + k.a(bits) + ", " + k.c(bits), k.state().withGpr(RCX, 0xFFFF_0000_0000_0000L));
            }
        }
        for (int bits : new int[] { 32, 64 }) {
            for (int n = 0; n < 30; n++) {
                k.add("andn " + k.a(bits) + ", " + k.c(bits) + ", " + k.d(bits));
                k.add("andn " + k.r9(bits) + ", " + k.b(bits) + ", " + k.mem(bits));
                for (String op : new String[] { "blsi", "blsmsk", "blsr" }) {
                    k.add(op + " " + k.a(bits) + ", " + k.c(bits));
                    k.add(op + " " + k.r9(bits) + ", " + k.mem(bits));
                }
                long ctl = k.r.nextInt(4) == 0 ? k.r.nextLong() : k.r.nextInt(80) | (long) k.r.nextInt(80) << 8;
                k.add("bextr " + k.a(bits) + ", " + k.c(bits) + ", " + k.d(bits), k.state().withGpr(RDX, ctl));
                k.add("bextr " + k.a(bits) + ", " + k.mem(bits) + ", " + k.d(bits), k.state().withGpr(RDX, ctl));
                long idx = k.r.nextInt(4) == 0 ? k.r.nextLong() : k.r.nextInt(80);
                k.add("bzhi " + k.a(bits) + ", " + k.c(bits) + ", " + k.d(bits), k.state().withGpr(RDX, idx));
                k.add("bzhi " + k.a(bits) + ", " + k.mem(bits) + ", " + k.d(bits), k.state().withGpr(RDX, idx));
                k.add("pdep " + k.a(bits) + ", " + k.c(bits) + ", " + k.d(bits));
                k.add("pdep " + k.a(bits) + ", " + k.c(bits) + ", " + k.mem(bits));
                k.add("pext " + k.a(bits) + ", " + k.c(bits) + ", " + k.d(bits));
                k.add("pext " + k.r9(bits) + ", " + k.c(bits) + ", " + k.mem(bits));
            }
        }
        return k.cases();
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
