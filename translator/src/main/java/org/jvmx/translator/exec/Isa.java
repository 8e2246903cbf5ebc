package org.jvmx.translator.exec;

import org.jvmx.translator.sem.InterruptOps;

import java.util.Arrays;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.sem.ControlOps;
import org.jvmx.translator.sem.IntegerOps;
import org.jvmx.translator.sem.SseFloatOps;
import org.jvmx.translator.sem.SseIntegerOps;
import org.jvmx.translator.sem.SseNewOps;
import org.jvmx.translator.sem.StringOps;
import org.jvmx.translator.sem.SystemOps;
import org.jvmx.translator.sem.MmxOps;
import org.jvmx.translator.sem.X87Ops;

/**
 * The instruction set jvmx executes: one {@link Semantics} per mnemonic, installed by the
 * groups in {@code org.jvmx.translator.sem}. A mnemonic without one raises #UD in the guest
 * and is counted in {@link ExecStats#unimplementedCounts()}.
 */
public final class Isa {
    private static final Semantics[] TABLE = new Semantics[Mnemonic.values().length];
    private static final boolean[] UNIMPLEMENTED = new boolean[TABLE.length];

    /** Receives a group's semantics. */
    public interface Installer {
        void put(Mnemonic m, Semantics s);
    }

    static {
        Installer in = (m, s) -> {
            if (TABLE[m.ordinal()] != null) throw new IllegalStateException(m + " installed twice");
            TABLE[m.ordinal()] = s;
        };
        IntegerOps.install(in);
        ControlOps.install(in);
        StringOps.install(in);
        SystemOps.install(in);
        InterruptOps.install(in);
        SseIntegerOps.install(in);
        SseFloatOps.install(in);
        SseNewOps.install(in);
        X87Ops.install(in);
        MmxOps.install((m, s) -> TABLE[m.ordinal()] = MmxOps.dispatch(TABLE[m.ordinal()], s));
        for (int i = 0; i < TABLE.length; i++) {
            if (TABLE[i] == null) {
                int id = i;
                TABLE[i] = (c, insn) -> {
                    c.stats.unimplemented(id);
                    throw GuestFault.invalidOpcode(Mnemonic.of(id) + " is not implemented");
                };
                UNIMPLEMENTED[i] = true;
            }
        }
    }

    private Isa() {
    }

    /** The semantics of {@code insn} (for invalid encodings: a #UD). */
    public static Semantics of(Instruction insn) {
        if (insn.isInvalid()) return INVALID;
        return TABLE[insn.mnemonicId()];
    }

    public static Semantics of(Mnemonic m) {
        return TABLE[m.ordinal()];
    }

    public static boolean implemented(Mnemonic m) {
        return !UNIMPLEMENTED[m.ordinal()];
    }

    /** Every implemented mnemonic, in enum order. */
    public static Mnemonic[] implemented() {
        return Arrays.stream(Mnemonic.values()).filter(Isa::implemented).toArray(Mnemonic[]::new);
    }

    private static final Semantics INVALID = (c, insn) -> {
        throw GuestFault.invalidOpcode(insn.invalidReason().toString());
    };
}
