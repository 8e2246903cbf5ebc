package org.jvmx.translator.sem;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;

/**
 * The stack as PUSH, POP, CALL, RET, ENTER and LEAVE use it (SDM Vol. 1, 6.2-6.5). In 64-bit
 * mode the stack pointer is RSP and SS adds nothing. Outside it the stack-address size is SS.B:
 * ESP when 1, SP (bits 15:0 of RSP, the rest kept) when 0 (SDM Vol. 3A, 3.4.5 "D/B flag"); each
 * access goes through SS's base, limit and type checks, #SS(0) beyond the limit (SDM Vol. 3A,
 * 5.3; Vol. 2 PUSH/POP "Protected Mode Exceptions"). A store is done before the stack pointer
 * moves, so a fault leaves it unchanged.
 */
public final class Stack {
    private Stack() {
    }

    /** The mask of the stack pointer: all ones in 64-bit mode, else FFFFFFFFH with SS.B = 1, FFFFH with SS.B = 0. */
    public static long mask(Cpu c) {
        if (c.state.mode64()) return -1L;
        return c.state.ss.db() ? 0xFFFF_FFFFL : 0xFFFFL;
    }

    /** The stack pointer (its offset in SS) at the stack-address size. */
    public static long sp(Cpu c) {
        return c.gpr[CpuState.RSP] & mask(c);
    }

    /** Sets the stack pointer at the stack-address size: SP merges into bits 15:0, ESP zero-extends. */
    public static void setSp(Cpu c, long sp) {
        long m = mask(c);
        long[] g = c.gpr;
        if (m == 0xFFFFL) g[CpuState.RSP] = (g[CpuState.RSP] & ~0xFFFFL) | (sp & 0xFFFF);
        else g[CpuState.RSP] = sp & m;
    }

    /** Reads {@code bytes} at offset {@code sp + delta} of SS (wrapping at the stack-address size). */
    public static long read(Cpu c, long delta, int bytes) {
        if (c.state.mode64()) return c.readStack(c.gpr[CpuState.RSP] + delta, bytes);
        return c.readData(CpuState.SS, (c.gpr[CpuState.RSP] + delta) & mask(c), bytes);
    }

    /** PUSH of {@code bytes} bytes: the store first (a fault changes nothing), then the stack pointer. */
    public static void push(Cpu c, int bytes, long v) {
        if (c.state.mode64()) {
            long sp = c.gpr[CpuState.RSP] - bytes;
            c.writeStack(sp, bytes, v);
            c.gpr[CpuState.RSP] = sp;
            return;
        }
        long sp = (c.gpr[CpuState.RSP] - bytes) & mask(c);
        c.writeData(CpuState.SS, sp, bytes, v);
        setSp(c, sp);
    }

    /** POP of {@code bytes} bytes: returns the value and moves the stack pointer. */
    public static long pop(Cpu c, int bytes) {
        long v = read(c, 0, bytes);
        release(c, bytes);
        return v;
    }

    /** Moves the stack pointer up by {@code bytes} (after a pop, RET imm16). */
    public static void release(Cpu c, long bytes) {
        if (c.state.mode64()) c.gpr[CpuState.RSP] += bytes;
        else setSp(c, c.gpr[CpuState.RSP] + bytes);
    }
}
