package org.jvmx.translator.sem;

import org.jvmx.translator.exec.Isa;

/** Semantics group (being written). */
public final class SseIntegerOps {
    private SseIntegerOps() {
    }

    public static void install(Isa.Installer in) {
    }
}
