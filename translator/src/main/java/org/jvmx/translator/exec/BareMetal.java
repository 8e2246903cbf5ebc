package org.jvmx.translator.exec;

/** The sensitive instructions as the processor runs them with no hypervisor: {@link Sensitive}'s defaults. */
public final class BareMetal implements Sensitive {
}
