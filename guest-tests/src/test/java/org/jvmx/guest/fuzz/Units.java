package org.jvmx.guest.fuzz;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jvmx.decoder.Mnemonic;

/**
 * Hand-written units for the instructions that move RSP or RIP in ways a single random line
 * cannot keep inside the sandbox: each unit leaves RSP where it found it (PUSH with a POP, CALL
 * with a RET or POP, ENTER with LEAVE), and every transfer goes forward inside the sequence
 * ({@link FormEmitter#LABEL}) or to a local label of the unit itself (numbers 1-9; the sequence's
 * own labels start at 10). Each unit lists the mnemonics it uses: it is offered only when all of
 * them are implemented.
 */
final class Units {
    /** A unit: its mnemonic, the other mnemonics it needs, and a writer. */
    record Unit(Mnemonic mnemonic, Set<Mnemonic> needs, Writer writer) {
    }

    interface Writer {
        FormEmitter.Piece write(SplittableRandom r);
    }

    /** Mnemonics whose forms are written only by units (never by the form emitter). */
    static final Set<Mnemonic> OWNED = Set.of(Mnemonic.PUSH, Mnemonic.POP, Mnemonic.PUSHF, Mnemonic.PUSHFQ,
            Mnemonic.POPF, Mnemonic.POPFQ, Mnemonic.CALL, Mnemonic.RET, Mnemonic.ENTER, Mnemonic.LEAVE);

    private Units() {
    }

    private static String reg(SplittableRandom r) { return Sandbox.R64[Sandbox.randomGpr(r)]; }

    private static String reg16(SplittableRandom r) { return Sandbox.R16[Sandbox.randomGpr(r)]; }

    private static String mem(SplittableRandom r, int bytes) { return Sandbox.mem(Sandbox.disp(r, bytes)); }

    private static FormEmitter.Piece p(String... lines) { return new FormEmitter.Piece(List.of(lines)); }

    private static Set<Mnemonic> s(Mnemonic... m) { return Set.of(m); }

    /** Status flags and DF, the only RFLAGS bits a POPF here may set (no TF, AC, NT, ID). */
    private static long flagsImm(SplittableRandom r) { return r.nextLong() & 0xCD5; }

    static final List<Unit> ALL = List.of(
            new Unit(Mnemonic.PUSH, s(Mnemonic.POP), r -> p("push " + reg(r), "pop " + reg(r))),
            new Unit(Mnemonic.PUSH, s(Mnemonic.POP), r -> p("push " + reg16(r), "pop " + reg16(r))),
            new Unit(Mnemonic.PUSH, s(Mnemonic.POP), r -> p("push qword ptr " + mem(r, 8), "pop qword ptr " + mem(r, 8))),
            new Unit(Mnemonic.PUSH, s(Mnemonic.POP), r -> p("push word ptr " + mem(r, 2), "pop word ptr " + mem(r, 2))),
            new Unit(Mnemonic.PUSH, s(Mnemonic.POP), r -> p("push " + (r.nextInt(256) - 128), "pop " + reg(r))),
            new Unit(Mnemonic.PUSH, s(Mnemonic.POP), r -> p("push " + r.nextInt(), "pop " + reg(r))),
            new Unit(Mnemonic.PUSH, s(Mnemonic.POP), r -> p(String.format(".byte 0x66, 0x68, 0x%02x, 0x%02x",
                    r.nextInt(256), r.nextInt(256)), "pop " + reg16(r))),
            new Unit(Mnemonic.POP, s(), r -> p("pop " + reg(r))),
            new Unit(Mnemonic.PUSHFQ, s(Mnemonic.POP), r -> p("pushfq", "pop " + reg(r))),
            new Unit(Mnemonic.PUSHF, s(Mnemonic.POP), r -> p("pushfw", "pop " + reg16(r))),
            new Unit(Mnemonic.POPFQ, s(Mnemonic.PUSH), r -> p("push " + flagsImm(r), "popfq")),
            new Unit(Mnemonic.POPF, s(Mnemonic.PUSH), r -> p(String.format(".byte 0x66, 0x68, 0x%02x, 0x%02x",
                    flagsImm(r) & 0xff, flagsImm(r) >> 8), "popfw")),
            new Unit(Mnemonic.CALL, s(Mnemonic.POP), r -> p("call 1f", "1: pop " + reg(r))),
            new Unit(Mnemonic.CALL, s(Mnemonic.POP, Mnemonic.LEA), r -> {
                String t = reg(r);
                return p("lea " + t + ", [rip + 1f]", "call " + t, "1: pop " + reg(r));
            }),
            new Unit(Mnemonic.CALL, s(Mnemonic.POP, Mnemonic.LEA, Mnemonic.MOV), r -> {
                String t = reg(r), m = mem(r, 8);
                return p("lea " + t + ", [rip + 1f]", "mov qword ptr " + m + ", " + t, "call qword ptr " + m,
                        "1: pop " + reg(r));
            }),
            new Unit(Mnemonic.RET, s(Mnemonic.CALL, Mnemonic.JMP), r -> p("call 1f", "jmp 2f", "1: ret", "2:")),
            new Unit(Mnemonic.RET, s(Mnemonic.CALL, Mnemonic.JMP, Mnemonic.PUSH),
                    r -> p("push " + reg(r), "call 1f", "jmp 2f", "1: ret 8", "2:")),
            new Unit(Mnemonic.JMP, s(Mnemonic.LEA), r -> {
                String t = reg(r);
                return new FormEmitter.Piece(List.of("lea " + t + ", [rip + " + FormEmitter.LABEL + "]", "jmp " + t),
                        true, false);
            }),
            new Unit(Mnemonic.JMP, s(Mnemonic.LEA, Mnemonic.MOV), r -> {
                String t = reg(r), m = mem(r, 8);
                return new FormEmitter.Piece(List.of("lea " + t + ", [rip + " + FormEmitter.LABEL + "]",
                        "mov qword ptr " + m + ", " + t, "jmp qword ptr " + m), true, false);
            }),
            new Unit(Mnemonic.ENTER, s(Mnemonic.MOV, Mnemonic.LEAVE),
                    r -> p("mov rbp, rsp", "enter " + 8 * r.nextInt(9) + ", " + r.nextInt(5), "leave")),
            new Unit(Mnemonic.LEAVE, s(Mnemonic.MOV, Mnemonic.PUSH), r -> p("push rbp", "mov rbp, rsp", "leave")));

    /** The units usable when {@code implemented} holds the implemented mnemonics. */
    static List<Unit> available(Set<Mnemonic> implemented) {
        return ALL.stream().filter(u -> implemented.contains(u.mnemonic()) && implemented.containsAll(u.needs())).toList();
    }
}
