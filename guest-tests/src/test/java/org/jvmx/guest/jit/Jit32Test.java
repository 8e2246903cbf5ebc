package org.jvmx.guest.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jvmx.guest.host.Gas;
import org.jvmx.translator.cpu.LazyFlags;
import org.jvmx.translator.cpu.Msr;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.jit.BytecodeJit;
import org.jvmx.translator.mem.PhysicalMemory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 32- and 16-bit code in the JIT tier: each program runs in the interpreter and in
 * {@link Engine.Tier#COMPILE} (every block compiled before its first run), and the whole
 * architectural state must agree: exit, EIP, GPRs, defined flags, memory and the number of
 * instructions retired. The programs exercise what is mode-dependent outside 64-bit mode:
 * memory operands through non-zero DS/ES/FS bases, the 32-bit stack (PUSH/POP/CALL/RET,
 * ENTER/LEAVE, RET imm16), string instructions, 16-bit address size, 16-bit code, a fault
 * in the middle of a compiled region, and a mode switch with compiled code in the cache.
 */
class Jit32Test {
    static final long CODE = 0x1000, RAM = 0x100000, DS_BASE = 0x20000, ES_BASE = 0x30000, FS_BASE = 0x40000,
            STACK = 0x80000, DATA_FROM = 0x20000, DATA_TO = 0x88000;

    record Program(String name, int bits, String source, Consumer<Cpu> init, Consumer<PhysicalMemory> devices) {
        Program(String name, int bits, String source, Consumer<Cpu> init) {
            this(name, bits, source, init, ram -> { });
        }
    }

    /** Physical address of a device whose registers read as offset * 3 and fault (#GP(0)) from offset 0x40 on. */
    static final long DEVICE = 0x200000;

    static void device(PhysicalMemory ram) {
        ram.addMmio(DEVICE, 0x2000, new org.jvmx.translator.mem.MmioHandler() {
            @Override
            public long read(long offset, int size) {
                if (offset >= 0x40 && offset < 0x1000) throw org.jvmx.translator.mem.GuestFault.generalProtection(0);
                return offset * 3;
            }

            @Override
            public void write(long offset, int size, long value) {
            }
        });
    }

    record Run(Cpu cpu, Exit exit, long[] memory, BytecodeJit jit) {
    }

    static final List<Program> PROGRAMS = List.of(
            new Program("loop with memory operands through DS base", 32, """
                    mov ecx, 2000
                    xor eax, eax
                    mov esi, 0x100
                    1:
                    mov edx, [esi+ecx*4]
                    add eax, edx
                    lea edx, [eax+ecx*2+7]
                    xor [esi+ecx*4+4], edx
                    add dword ptr [esi], 3
                    cmp ecx, 1000
                    jae 2f
                    sub byte ptr [esi+ecx+0x2000], cl
                    2:
                    dec ecx
                    jnz 1b
                    """, c -> { }),
            new Program("push pop call ret", 32, """
                    mov ecx, 300
                    xor ebx, ebx
                    xor esi, esi
                    1:
                    push ecx
                    push 0x1234
                    call 2f
                    add esp, 4
                    pop ecx
                    mov [esi+ecx*4+0x100], ebx
                    loop 1b
                    jmp 3f
                    2:
                    mov eax, [esp+4]
                    add ebx, eax
                    add ebx, [esp+8]
                    ret
                    3:
                    """, c -> { }),
            new Program("enter leave ret imm16", 32, """
                    mov ecx, 100
                    xor edx, edx
                    1:
                    push ebp
                    mov ebp, esp
                    sub esp, 16
                    mov [ebp-4], ecx
                    push ecx
                    pop eax
                    setc ah
                    and eax, 0x8d5
                    add [ebp-4], eax
                    add edx, [ebp-4]
                    leave
                    push edx
                    call 2f
                    enter 8, 0
                    mov [ebp-8], edx
                    leave
                    loop 1b
                    jmp 3f
                    2:
                    xor edx, [esp+4]
                    ret 4
                    3:
                    """, c -> { }),
            new Program("string instructions through DS and ES bases", 32, """
                    cld
                    mov edx, 40
                    1:
                    mov esi, 0x100
                    mov edi, 0x200
                    mov ecx, 257
                    rep movsb
                    mov esi, 0x100
                    mov edi, 0x800
                    mov ecx, 33
                    rep movsd
                    mov edi, 0x200
                    mov al, [esi]
                    mov ecx, 300
                    repne scasb
                    mov [0x3000+edx*4], ecx
                    lodsd
                    stosw
                    std
                    movsb
                    cld
                    dec edx
                    jnz 1b
                    """, c -> { }),
            new Program("FS override and 16-bit address size", 32, """
                    mov ecx, 500
                    mov ebx, 0x10
                    xor esi, esi
                    1:
                    mov eax, fs:[ecx*4]
                    add eax, [bx+si+4]
                    mov [bx+si+8], ax
                    inc si
                    and si, 0xff
                    add fs:[ecx*4+0x1000], eax
                    dec ecx
                    jnz 1b
                    """, c -> { }),
            new Program("register arithmetic and every branch shape", 32, """
                    mov ecx, 3000
                    mov eax, 0x12345678
                    mov edx, 0x9abcdef0
                    1:
                    add al, cl
                    adc ah, dl
                    sub dx, ax
                    xor edx, eax
                    rol eax, 3
                    cmp al, dl
                    jl 2f
                    inc ebx
                    2:
                    test dh, 0x10
                    jz 3f
                    dec edi
                    3:
                    cmp ecx, 1500
                    jg 4f
                    mov ebp, edx
                    4:
                    or ebp, ecx
                    js 5f
                    and ebp, 0x7fff
                    5:
                    dec ecx
                    jnz 1b
                    """, c -> { }),
            new Program("#DE in the middle of a compiled region", 32, """
                    mov ebx, 5
                    mov esi, 0x40
                    1:
                    mov eax, 1000
                    xor edx, edx
                    add [esi], eax
                    add esi, 4
                    inc edi
                    div ebx
                    mov [esi+0x100], eax
                    dec ebx
                    jmp 1b
                    """, c -> { }),
            new Program("fault in a compiled memory read", 32, """
                    mov esi, 0x1e0000
                    xor ebx, ebx
                    1:
                    mov eax, [esi]
                    add ebx, eax
                    mov [esi+0x1000], ebx
                    inc edi
                    add esi, 4
                    cmp dword ptr [esi+0x1000], 0x300
                    jne 1b
                    """, c -> { }, Jit32Test::device),
            new Program("branches up to and beyond the CS limit", 32, """
                    mov ecx, 100
                    1:
                    inc eax
                    cmp eax, 50
                    ja 2f
                    dec ecx
                    jnz 1b
                    jmp 3f
                    2:
                    dec ecx
                    jnz 1b
                    jmp 3f
                    .fill 0x80, 1, 0x90
                    3:
                    inc ebx
                    """, c -> c.state.cs.set(0x08, 0, (int) CODE + 0x40, 0x409B)),
            new Program("DS limit below the addresses used", 32, """
                    mov esi, 0xfc00
                    1:
                    add dword ptr [esi], 7
                    inc ecx
                    add esi, 0x40
                    cmp esi, 0x10100
                    jb 1b
                    """, c -> c.state.ds.set(0x10, DS_BASE, 0xFFFF, 0x4093)),
            new Program("16-bit code", 16, """
                    mov cx, 500
                    mov si, 0x100
                    xor ax, ax
                    1:
                    add ax, [si]
                    mov [si+0x200], ax
                    add si, 2
                    and si, 0x3fe
                    push ax
                    pop dx
                    xor dx, cx
                    cmp dx, 0x4000
                    jb 2f
                    inc bx
                    2:
                    mov eax, [si+0x10]
                    add ebx, eax
                    call 3f
                    dec cx
                    jnz 1b
                    jmp 4f
                    3:
                    add di, bx
                    ret
                    4:
                    """, c -> { }));

    static List<byte[]> code;

    @BeforeAll
    static void assemble() {
        BytecodeJit.verify = true;
        List<String> snippets = new ArrayList<>();
        for (Program p : PROGRAMS) snippets.add(".code" + p.bits() + "\n" + p.source() + ".code64");
        snippets.add(MODE_SWITCH);
        code = Gas.assemble(snippets);
    }

    /** A CPU in 32-bit (or 16-bit) protected mode, paging off, over {@code ram}; DS, ES, FS with distinct bases. */
    static Cpu legacyCpu(PhysicalMemory ram, int bits) {
        Cpu c = Cpu.flat64(ram, false);
        c.state.efer = 0;
        // CS.D (and G) for 32-bit code, a 64 KiB byte-granular segment for 16-bit code
        c.state.cs.set(0x08, 0, bits == 32 ? 0xFFFF_FFFF : 0xFFFF, bits == 32 ? 0xC09B : 0x009B);
        c.state.ss.set(0x10, 0, 0xFFFF_FFFF, 0xC093);
        c.state.ds.set(0x18, DS_BASE, 0xFFFF_FFFF, 0xC093);
        c.state.es.set(0x20, ES_BASE, 0xFFFF_FFFF, 0xC093);
        c.state.fs.set(0x28, FS_BASE, 0xFFFF_FFFF, 0xC093);
        c.state.gs.set(0x30, 0, 0xFFFF_FFFF, 0xC093);
        c.refreshMode();
        return c;
    }

    static PhysicalMemory ram(byte[] program) {
        PhysicalMemory ram = new PhysicalMemory();
        ram.addRam(0, RAM);
        java.util.Random r = new java.util.Random(32);
        for (long a = DATA_FROM; a < DATA_TO; a += 8) ram.write(a, 8, r.nextLong());
        for (int k = 0; k < program.length; k++) ram.write(CODE + k, 1, program[k]);
        return ram;
    }

    static Run run(Program p, byte[] program, Engine.Tier tier) {
        PhysicalMemory ram = ram(program);
        Cpu c = legacyCpu(ram, p.bits());
        c.state.rip = CODE;
        c.gpr[4] = STACK;
        c.stopAt = CODE + program.length;
        p.init().accept(c);
        p.devices().accept(ram);
        BytecodeJit jit = new BytecodeJit();
        Engine e = new Engine(c, tier, tier == Engine.Tier.INTERPRET ? null : jit);
        e.hotThreshold = 3; // MIXED: compiled in the background early, switched to mid-run
        Exit x = e.run(50_000_000);
        e.close();
        return new Run(c, x, memory(ram), jit);
    }

    static long[] memory(PhysicalMemory ram) {
        long[] m = new long[(int) ((DATA_TO - DATA_FROM) / 8)];
        for (int k = 0; k < m.length; k++) m[k] = ram.read(DATA_FROM + 8L * k, 8);
        return m;
    }

    static void assertSameState(Run want, Run got, String what) {
        assertEquals(want.exit(), got.exit(), what + ": exit");
        assertEquals(Long.toHexString(want.cpu().state.rip), Long.toHexString(got.cpu().state.rip), what + ": EIP");
        assertArrayEquals(want.cpu().gpr, got.cpu().gpr, what + ": GPRs");
        long defined = want.cpu().flags.definedMask();
        assertEquals(defined, got.cpu().flags.definedMask(), what + ": defined flags");
        assertEquals(want.cpu().flags.rflags() & defined, got.cpu().flags.rflags() & defined, what + ": flags");
        assertEquals(want.cpu().state.rflags() & ~LazyFlags.STATUS, got.cpu().state.rflags() & ~LazyFlags.STATUS,
                what + ": system flags");
        assertArrayEquals(want.memory(), got.memory(), what + ": memory");
        assertEquals(want.cpu().stats.instructions(), got.cpu().stats.instructions(), what + ": instructions retired");
    }

    @Test
    void compiledLegacyCodeMatchesTheInterpreter() {
        for (int k = 0; k < PROGRAMS.size(); k++) {
            Program p = PROGRAMS.get(k);
            Run want = run(p, code.get(k), Engine.Tier.INTERPRET);
            Run got = run(p, code.get(k), Engine.Tier.COMPILE);
            assertSameState(want, got, p.name());
            assertTrue(want.cpu().stats.instructions() > 40, p.name() + ": ran " + want.cpu().stats.instructions() + ", " + want.exit() + " at " + Long.toHexString(want.cpu().state.rip));
            assertEquals(0, want.cpu().stats.compiled, p.name());
            assertTrue(got.cpu().stats.blocksCompiled > 0 && got.cpu().stats.regionsCompiled > 0, p.name() + ": " + got.cpu().stats);
            // Every block is compiled before it runs: only a stop inside a block is ever stepped through.
            assertTrue(got.cpu().stats.compiled > got.cpu().stats.instructions() * 9 / 10, p.name() + ": " + got.cpu().stats);
            assertSameState(want, run(p, code.get(k), Engine.Tier.MIXED), p.name() + " (mixed)");
            System.out.println("JIT32 " + p.name() + ": " + got.exit() + " " + got.cpu().stats + " inlined " + got.jit().inlinedInstructions + " generic " + got.jit().genericInstructions + " fused " + got.jit().fusedBranches);
        }
    }

    @Test
    void aFaultInsideACompiledRegionIsPrecise() {
        int k = indexOf("#DE in the middle of a compiled region");
        Run got = run(PROGRAMS.get(k), code.get(k), Engine.Tier.COMPILE);
        assertEquals(Exit.Kind.FAULT, got.exit().kind());
        assertEquals(0, got.exit().vector());
        // five divisions retired, the sixth (EBX = 0) faulted with EDI already incremented six times
        assertEquals(0, got.cpu().gpr[3]);
        assertEquals(6, got.cpu().gpr[7]);
        assertEquals(0x40 + 6 * 4, got.cpu().gpr[6]);
        long div = CODE + code.get(k).length - 2 - 1 - 6 - 2; // back over JMP, DEC, MOV [esi+0x100] to DIV
        assertEquals(Long.toHexString(div), Long.toHexString(got.cpu().state.rip));
    }

    @Test
    void aFaultInACompiledMemoryAccessIsPrecise() {
        int k = indexOf("fault in a compiled memory read");
        Run got = run(PROGRAMS.get(k), code.get(k), Engine.Tier.COMPILE);
        assertEquals(Exit.Kind.FAULT, got.exit().kind());
        assertEquals(13, got.exit().vector());
        // 16 reads (offsets 0..0x3c) retired; the 17th faulted before changing EAX
        assertEquals(16, got.cpu().gpr[7]);
        assertEquals(0x1e0040, got.cpu().gpr[6]);
        assertEquals(0x3c * 3, got.cpu().gpr[0]);
        assertEquals(Long.toHexString(CODE + 7), Long.toHexString(got.cpu().state.rip)); // after MOV esi (5), XOR (2)
        assertTrue(got.cpu().stats.compiled > 16 * 6, got.cpu().stats.toString());
    }

    static int indexOf(String name) {
        for (int k = 0; k < PROGRAMS.size(); k++) if (PROGRAMS.get(k).name().equals(name)) return k;
        throw new IllegalArgumentException(name);
    }

    /** 0x48 is DEC EAX in 32-bit code and REX.W in 64-bit code: the same bytes compute differently. */
    static final String MODE_SWITCH = """
            .code32
            mov ecx, 100
            1:
            dec eax
            add eax, ecx
            sub ecx, 1
            jnz 1b
            .code64
            """;

    /**
     * Compiled 32-bit code stays in the code cache's blocks; switching the same vCPU to 64-bit
     * mode and back must never run it (the cache drops every block, compiled or not, on a
     * mode switch): each run matches the interpreter doing the same sequence.
     */
    @Test
    void aModeSwitchNeverRunsCodeCompiledForTheOtherMode() {
        byte[] program = code.getLast();
        long[][] results = new long[2][];
        for (Engine.Tier tier : List.of(Engine.Tier.INTERPRET, Engine.Tier.COMPILE)) {
            PhysicalMemory ram = ram(program);
            Cpu c = legacyCpu(ram, 32);
            Engine e = new Engine(c, tier, tier == Engine.Tier.INTERPRET ? null : new BytecodeJit());
            long[] out = new long[3];
            for (int round = 0; round < 3; round++) {
                boolean long64 = round == 1;
                if (long64) {
                    c.state.efer = Msr.EFER_LME | Msr.EFER_LMA;
                    c.state.cs.set(0x08, 0, 0xFFFF_FFFF, 0xA09B);
                } else {
                    c.state.efer = 0;
                    c.state.cs.set(0x08, 0, 0xFFFF_FFFF, 0xC09B);
                }
                c.gpr[0] = 0;
                c.state.rip = CODE;
                c.stopAt = CODE + program.length;
                assertEquals(Exit.STOPPED, e.run(1_000_000), tier + " round " + round);
                out[round] = c.gpr[0];
            }
            e.close();
            if (tier == Engine.Tier.COMPILE) assertTrue(c.stats.regionsCompiled >= 3, c.stats.toString());
            results[tier.ordinal() == 0 ? 0 : 1] = out;
        }
        assertArrayEquals(results[0], results[1]);
        assertEquals(5050 - 100, results[0][0]); // 32-bit: sum of (ecx - 1)
        assertEquals(5050, results[0][1]); // 64-bit: REX.W ADD, no DEC
        assertNotEquals(results[0][0], results[0][1]);
        assertEquals(results[0][0], results[0][2]);
    }
}
