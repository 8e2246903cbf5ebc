package org.jvmx.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.jit.BytecodeJit;
import org.jvmx.translator.mem.PhysicalMemory;

/**
 * {@code jvmx exec}: runs raw 64-bit machine code on a bare vCPU (CPL 0, paging off, SSE on)
 * until HLT, a fault or an instruction limit, then prints the registers. For studying the
 * translator: which tier ran what, and what was not implemented (--stats).
 */
final class ExecCommand implements Command {
    static final int EXIT_GUEST_FAULT = 1;

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String summary() {
        return "run raw x86-64 machine code on a bare vCPU until HLT, and print its registers";
    }

    @Override
    public String synopsis() {
        return "exec FILE [--base ADDR] [--mem MIB] [--tier interpret|jit|mixed] [--max-instructions N] [--stats]";
    }

    @Override
    public String description() {
        return """
                Loads FILE's bytes at ADDR (default 0x1000) in guest RAM starting at 0, and runs
                them in 64-bit mode at CPL 0 with paging off (linear = physical), RSP at the top
                of RAM. Stops at HLT (exit status 0), at an exception (reported, status 1), or
                after N instructions (reported, status 1). The registers are printed at the end.""";
    }

    @Override
    public List<Option> options() {
        return List.of(
                Option.value("base", "ADDR", "load and start address, hexadecimal (default 1000)"),
                Option.value("mem", "MIB", "guest RAM in MiB (default 16)"),
                Option.value("tier", "TIER", "interpret, jit (compile every block) or mixed (default: hot blocks compiled)"),
                Option.value("max-instructions", "N", "stop after about N instructions (default 10000000000)"),
                Option.flag("stats", "print instructions by tier, blocks translated and unimplemented opcodes met"));
    }

    @Override
    public int run(Invocation inv) throws CliException, IOException {
        List<String> ops = inv.operands();
        if (ops.isEmpty()) throw inv.usageError("missing FILE");
        if (ops.size() > 1) throw inv.usageError("unexpected argument '" + ops.get(1) + "'");
        byte[] code = InputFiles.bytes(ops.get(0));
        long base = inv.has("base") ? DisasmCommand.parseAddress(inv, inv.value("base")) : 0x1000;
        long mib = number(inv, "mem", 16, 1, 1 << 16);
        long max = number(inv, "max-instructions", 10_000_000_000L, 1, Long.MAX_VALUE);
        Engine.Tier tier = switch (inv.has("tier") ? inv.value("tier") : "mixed") {
            case "interpret" -> Engine.Tier.INTERPRET;
            case "jit" -> Engine.Tier.COMPILE;
            case "mixed" -> Engine.Tier.MIXED;
            default -> throw inv.usageError("--tier: '" + inv.value("tier") + "' is not interpret, jit or mixed");
        };
        long ram = mib << 20;
        if (base + code.length > ram) {
            throw new CliException(String.format("%s: %d bytes at %#x do not fit in %d MiB of guest RAM", ops.get(0),
                    code.length, base, mib));
        }
        PrintWriter out = new PrintWriter(inv.out());
        try (PhysicalMemory memory = new PhysicalMemory()) {
            memory.addRam(0, ram);
            for (int k = 0; k < code.length; k++) memory.write(base + k, 1, code[k]);
            Cpu cpu = Cpu.flat64(memory, false);
            cpu.state.rip = base;
            cpu.gpr[CpuState.RSP] = ram;
            long t0 = System.nanoTime();
            Exit exit;
            try (Engine engine = new Engine(cpu, tier, tier == Engine.Tier.INTERPRET ? null : new BytecodeJit())) {
                exit = engine.run(max);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.print(cpu.state);
            int status = Main.EXIT_OK;
            switch (exit.kind()) {
                case HALTED -> out.printf("halted at %#x%n", cpu.state.rip);
                case FAULT -> {
                    out.printf("guest exception %s at %#x%n", exit, cpu.state.rip);
                    status = EXIT_GUEST_FAULT;
                }
                default -> {
                    out.printf("stopped: %s at %#x%n", exit, cpu.state.rip);
                    status = EXIT_GUEST_FAULT;
                }
            }
            if (inv.has("stats")) {
                var s = cpu.stats;
                out.printf(Locale.ROOT, "stats: %d instructions (%d interpreted, %d compiled) in %.3f s, %.1f MIPS%n",
                        s.instructions(), s.interpreted, s.compiled, seconds, s.instructions() / seconds / 1e6);
                out.printf("stats: %d blocks decoded, %d compiled in %d regions, %d invalidated by guest writes%n",
                        s.blocksDecoded, s.blocksCompiled, s.regionsCompiled, s.codeInvalidations);
                out.println("stats: unimplemented instructions met (each raised #UD): "
                        + (s.unimplementedCounts().isEmpty() ? "none" : s.unimplementedCounts()));
            }
            out.flush();
            return status;
        }
    }

    private static long number(Invocation inv, String name, long dflt, long min, long max) throws CliException {
        if (!inv.has(name)) return dflt;
        String v = inv.value(name);
        try {
            long n = Long.parseLong(v.replace("_", ""));
            if (n < min || n > max) throw inv.usageError("--" + name + ": " + v + " is out of range " + min + ".." + max);
            return n;
        } catch (NumberFormatException e) {
            throw inv.usageError("--" + name + ": '" + v + "' is not a number");
        }
    }
}
