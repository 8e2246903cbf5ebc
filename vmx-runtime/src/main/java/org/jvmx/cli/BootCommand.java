package org.jvmx.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jvmx.monitor.Machine;
import org.jvmx.monitor.loader.BootModule;

/** {@code jvmx boot}: boots a bare-metal kernel on a virtual PC, its serial console on the terminal. */
final class BootCommand implements Command {
    @Override
    public String name() {
        return "boot";
    }

    @Override
    public String summary() {
        return "boot a bare-metal x86-64 kernel (Multiboot or ELF64) on a virtual PC with a serial console";
    }

    @Override
    public String synopsis() {
        return "boot IMAGE [--mem SIZE] [--cpus N] [--workers M] [--cmdline TEXT] [--module FILE]... [--tier TIER] [--stats]";
    }

    @Override
    public String description() {
        return """
                Loads IMAGE into a virtual PC (RAM, local APIC, I/O APIC, 8259 PIC, 8254 PIT, 16550A UART on COM1, CMOS
                RTC, i8042, debug-exit port 0xf4) and runs it under jvmx's VMX model on one vCPU, or
                on N with --cpus N: the bootstrap processor (APIC ID 0) starts the kernel, the others
                (APIC IDs 1..N-1) wait for INIT-SIPI-SIPI from it and start in real mode at the SIPI
                vector, as on a PC; each vCPU runs on a thread of its own.
                ELF64 kernels are entered in long mode with identity-mapped page tables; Multiboot
                kernels (a.out kludge or ELF) in 32-bit protected mode with paging off, from where
                they may switch into long mode (32-bit paging is not run yet). COM1 is the console on
                standard output. The exit status is the guest's debug-exit status ((value << 1) | 1),
                0 after a reset, 130 after Ctrl-C, 1 when the guest fails (triple fault, halted
                for ever); a malformed image is one line and status 2.""";
    }

    @Override
    public List<Option> options() {
        return List.of(
                Option.value("mem", "SIZE", "guest RAM, e.g. 64M or 1G (default 128M)"),
                Option.value("cpus", "N", "vCPUs, 1 to " + Machine.MAX_CPUS + " (default 1)"),
                Option.value("workers", "M", "worker threads (physical cores) the vCPUs are scheduled on, 1 to 256"
                        + " (default: one vCPU runs on its own thread; several get min(N, host processors))"),
                Option.value("cmdline", "TEXT", "the kernel command line (Multiboot)"),
                Option.repeatable("module", "FILE", "a boot module (Multiboot), repeatable"),
                Option.flag("stats", "print VM exits by reason, instructions by tier, blocks translated and MIPS"),
                Option.value("tier", "TIER", "interpret, jit (compile every 64-bit block) or mixed (default: hot blocks compiled)"));
    }

    @Override
    public int run(Invocation inv) throws CliException, IOException {
        List<String> ops = inv.operands();
        if (ops.isEmpty()) throw inv.usageError("missing IMAGE");
        if (ops.size() > 1) throw inv.usageError("unexpected argument '" + ops.get(1) + "'");
        long mem = inv.has("mem") ? KernelRun.memory(inv, inv.value("mem")) : 128L << 20;
        int cpus = inv.has("cpus") ? cpus(inv, inv.value("cpus")) : 1;
        int workers = inv.has("workers") ? workers(inv, inv.value("workers")) : 0;
        byte[] image = InputFiles.bytes(ops.get(0));
        List<BootModule> modules = new ArrayList<>();
        for (String f : inv.values("module")) {
            modules.add(new BootModule(f, InputFiles.bytes(f), f));
        }
        String cmdline = inv.has("cmdline") ? inv.value("cmdline") : "";
        return KernelRun.run(inv, ops.get(0), image, mem, cpus, workers, cmdline, modules, inv.has("stats"), -1);
    }

    /** Parses --workers: a whole number from 1 to 256. */
    static int workers(Invocation inv, String text) throws CliException {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1 && n <= 256) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw inv.usageError("--workers: '" + text + "' is not a number of worker threads from 1 to 256");
    }

    /** Parses --cpus: a whole number from 1 to {@link Machine#MAX_CPUS}. */
    static int cpus(Invocation inv, String text) throws CliException {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1 && n <= Machine.MAX_CPUS) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw inv.usageError("--cpus: '" + text + "' is not a number of vCPUs from 1 to " + Machine.MAX_CPUS);
    }
}
