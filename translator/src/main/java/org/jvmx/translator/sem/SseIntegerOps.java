package org.jvmx.translator.sem;

import org.jvmx.translator.exec.Isa;

/** Semantics group (being written). */
public final class SseIntegerOps {
    private SseIntegerOps() {
    }

    public static void install(Isa.Installer in) {
    }

    public static void movsdXmm(org.jvmx.translator.exec.Cpu c, org.jvmx.decoder.Instruction i) {
        c.stats.unimplemented(i.mnemonicId());
        throw org.jvmx.translator.mem.GuestFault.invalidOpcode(i.mnemonic() + " (SSE form) is not implemented");
    }
}
