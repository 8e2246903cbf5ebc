package org.jvmx.translator.sem;

import org.jvmx.translator.exec.Isa;

/** The x87 FPU instruction groups (SDM Vol. 1, ch. 8). */
public final class X87Ops {
    private X87Ops() {
    }

    public static void install(Isa.Installer in) {
        X87LoadStore.install(in);
        X87Arith.install(in);
        X87Compare.install(in);
        X87Control.install(in);
        X87Transcendental.install(in);
    }
}
