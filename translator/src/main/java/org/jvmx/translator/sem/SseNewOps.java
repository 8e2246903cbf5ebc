package org.jvmx.translator.sem;

import org.jvmx.translator.exec.Isa;

/** Semantics group (being written). */
public final class SseNewOps {
    private SseNewOps() {
    }

    public static void install(Isa.Installer in) {
    }
}
