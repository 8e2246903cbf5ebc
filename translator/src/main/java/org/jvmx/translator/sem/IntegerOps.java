package org.jvmx.translator.sem;

import org.jvmx.translator.exec.Isa;

/** Semantics group (being written). */
public final class IntegerOps {
    private IntegerOps() {
    }

    public static void install(Isa.Installer in) {
    }
}
