package org.jvmx.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * {@code jvmx demo}: boots the demo kernel the jar carries (built from
 * {@code guest-tests/src/guest/demo} by the build) and prints its picture and the statistics.
 */
final class DemoCommand implements Command {
    /** Where the build puts the demo kernel in the jar. */
    static final String RESOURCE = "/org/jvmx/demo/demo-kernel.elf";

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "boot the embedded demo kernel: mode switch, page faults, timer interrupts, hypercalls, a Mandelbrot set";
    }

    @Override
    public String synopsis() {
        return "demo [--mem SIZE] [--tier TIER]";
    }

    @Override
    public String description() {
        return """
                Boots jvmx's own demo kernel (C and assembly in guest-tests/src/guest/demo, built
                into the jar) on a virtual PC through Multiboot. The kernel switches itself from
                32-bit protected mode into long mode, installs its IDT and page tables, handles
                page faults it causes on purpose, takes local APIC timer interrupts, asks
                the monitor to print through a VMCALL hypercall, draws an ASCII Mandelbrot set on the
                serial console and ends through the debug-exit port. The statistics of the run
                (VM exits by reason, instructions by tier, blocks translated, MIPS) follow on
                standard error. Exit status 0 when the kernel reports success.""";
    }

    @Override
    public List<Option> options() {
        return List.of(Option.value("mem", "SIZE", "guest RAM (default 64M)"),
                Option.value("tier", "TIER", "interpret, jit (compile every 64-bit block) or mixed (default: hot blocks compiled)"));
    }

    @Override
    public int run(Invocation inv) throws CliException, IOException {
        if (!inv.operands().isEmpty()) throw inv.usageError("unexpected argument '" + inv.operands().get(0) + "'");
        long mem = inv.has("mem") ? KernelRun.memory(inv, inv.value("mem")) : 64L << 20;
        byte[] image;
        try (InputStream in = DemoCommand.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new CliException("the demo kernel " + RESOURCE + " is missing from the jar (rebuild it)");
            image = in.readAllBytes();
        }
        // The demo kernel writes 0 to the debug-exit port when it succeeds: status (0 << 1) | 1.
        return KernelRun.run(inv, "demo-kernel.elf", image, mem, "", List.of(), true, 1);
    }
}
