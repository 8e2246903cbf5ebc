package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.Register;
import org.jvmx.translator.cpu.LazyFlags;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;

/**
 * The exchange family (SDM Vol. 2: XCHG, XADD, CMPXCHG, CMPXCHG8B/CMPXCHG16B). XCHG with memory is
 * always locked (SDM Vol. 3A, 9.1.2.1); the others are atomic with a LOCK prefix, as a
 * compare-and-exchange on guest memory. Without LOCK, CMPXCHG* write the destination back even when
 * the comparison fails (the processor never produces a locked read without a write).
 */
final class AtomicOps {
    private AtomicOps() {
    }

    private static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3;

    static void install(Isa.Installer in) {
        in.put(Mnemonic.XCHG, AtomicOps::xchg);
        in.put(Mnemonic.XADD, AtomicOps::xadd);
        in.put(Mnemonic.CMPXCHG, AtomicOps::cmpxchg);
        in.put(Mnemonic.CMPXCHG8B, AtomicOps::cmpxchg8b);
        in.put(Mnemonic.CMPXCHG16B, AtomicOps::cmpxchg16b);
    }

    private static void xchg(Cpu c, Instruction i) {
        Register src = i.register(1);
        long v = Operands.readReg(c.gpr, src);
        if (i.operandKind(0) == OperandKind.REGISTER) {
            Register dst = i.register(0);
            long d = Operands.readReg(c.gpr, dst);
            Operands.writeReg(c.gpr, dst, v);
            Operands.writeReg(c.gpr, src, d);
            return;
        }
        int bits = i.operandBits(0);
        long old = IntAccess.locked(c, i, Operands.address(c, i), bits >>> 3, IntAccess.XCHG, bits, v);
        Operands.writeReg(c.gpr, src, old);
    }

    /** XADD Ev,Gv: TEMP = DEST + SRC; SRC = DEST; DEST = TEMP (the destination is written last). */
    private static void xadd(Cpu c, Instruction i) {
        Register src = i.register(1);
        long v = Operands.readReg(c.gpr, src);
        long old = IntAccess.rmw(c, i, IntAccess.XADD, v);
        if (i.operandKind(0) == OperandKind.REGISTER) {
            // rmw already wrote DEST; SRC gets the old value unless it is the same register (DEST wins)
            Register dst = i.register(0);
            long sum = Operands.readReg(c.gpr, dst);
            Operands.writeReg(c.gpr, src, old);
            Operands.writeReg(c.gpr, dst, sum);
        } else {
            Operands.writeReg(c.gpr, src, old);
        }
    }

    /**
     * CMPXCHG Ev,Gv: compares the accumulator with DEST (flags as CMP); equal: DEST = SRC; else
     * accumulator = DEST (and, without LOCK, a memory DEST is written back with its own value; a
     * register DEST is left alone, as processors do: its upper half is not cleared).
     */
    private static void cmpxchg(Cpu c, Instruction i) {
        int bits = i.operandBits(0);
        long acc = c.gpr[RAX] & Operands.mask(bits);
        long src = Operands.readReg(c.gpr, i.register(1));
        LazyFlags f = c.flags;
        if (i.operandKind(0) == OperandKind.REGISTER) {
            Register dst = i.register(0);
            long d = Operands.readReg(c.gpr, dst);
            f.cmp(bits, acc, d);
            if (acc == d) {
                Operands.writeReg(c.gpr, dst, src);
            } else {
                // a register destination is not written back: a 32-bit one keeps its upper half
                Operands.writeGpr(c.gpr, RAX, bits, d);
            }
            return;
        }
        long addr = Operands.address(c, i);
        int bytes = bits >>> 3;
        long d;
        if (i.hasLock()) {
            Operands.checkWrite(c, i, addr, bytes);
            d = c.memory.compareAndExchange(addr, bytes, acc, src, c.user) & Operands.mask(bits);
        } else {
            Operands.probeWriteMem(c, i, addr, bytes);
            d = Operands.readMem(c, i, addr, bytes);
            Operands.writeMem(c, i, addr, bytes, acc == d ? src : d);
        }
        f.cmp(bits, acc, d);
        if (acc != d) Operands.writeGpr(c.gpr, RAX, bits, d);
    }

    /** CMPXCHG8B m64: EDX:EAX against m64; equal: m64 = ECX:EBX, ZF = 1; else EDX:EAX = m64, ZF = 0. */
    private static void cmpxchg8b(Cpu c, Instruction i) {
        long[] g = c.gpr;
        long expected = (g[RDX] << 32) | (g[RAX] & 0xFFFF_FFFFL);
        long update = (g[RCX] << 32) | (g[RBX] & 0xFFFF_FFFFL);
        long addr = Operands.address(c, i);
        long old;
        if (i.hasLock()) {
            Operands.checkWrite(c, i, addr, 8);
            old = c.memory.compareAndExchange(addr, 8, expected, update, c.user);
        } else {
            Operands.probeWriteMem(c, i, addr, 8);
            old = Operands.readMem(c, i, addr, 8);
            Operands.writeMem(c, i, addr, 8, old == expected ? update : old);
        }
        boolean equal = old == expected;
        if (!equal) {
            Operands.writeGpr(g, RAX, 32, old);
            Operands.writeGpr(g, RDX, 32, old >>> 32);
        }
        setZf(c, equal);
    }

    /**
     * CMPXCHG16B m128: RDX:RAX against m128 (#GP(0) unless 16-byte aligned); equal: m128 = RCX:RBX.
     * With or without LOCK one bus-locked access (LinearMemory.compareAndExchange16), atomic
     * against every locked access to those bytes by any vCPU; without LOCK the processor
     * writes the old value back on a mismatch, which changes nothing visible, so the same path
     * serves (the 16 bytes are probed for writing first, as that write-back would fault).
     */
    private static void cmpxchg16b(Cpu c, Instruction i) {
        long[] g = c.gpr;
        long addr = Operands.address(c, i);
        if ((addr & 15) != 0) throw GuestFault.generalProtection(0);
        IntAccess.canonical(i, addr);
        Operands.probeWriteMem(c, i, addr, 16);
        long[] old = c.memory.compareAndExchange16(addr, g[RAX], g[RDX], g[RBX], g[RCX], c.user);
        boolean equal = old[0] == g[RAX] && old[1] == g[RDX];
        if (!equal) {
            g[RAX] = old[0];
            g[RDX] = old[1];
        }
        setZf(c, equal);
    }

    /** ZF set from the comparison, the other status flags unchanged (still undefined if they were). */
    private static void setZf(Cpu c, boolean zf) {
        LazyFlags f = c.flags;
        long u = f.undefinedMask() & ~LazyFlags.ZF;
        f.setDirect((f.rflags() & ~LazyFlags.ZF) | (zf ? LazyFlags.ZF : 0), u);
    }
}
