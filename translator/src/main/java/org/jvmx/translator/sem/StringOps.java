package org.jvmx.translator.sem;

import org.jvmx.translator.exec.Isa;

/** Semantics group (being written). */
public final class StringOps {
    private StringOps() {
    }

    public static void install(Isa.Installer in) {
    }
}
