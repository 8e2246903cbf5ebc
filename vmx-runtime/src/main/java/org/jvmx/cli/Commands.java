package org.jvmx.cli;

import java.util.List;
import java.util.Optional;

/** The registry of subcommands, in the order {@code jvmx help} lists them. */
public final class Commands {
    /** Every subcommand. Add new ones (run, boot, demo) here. */
    public static final List<Command> ALL = List.of(
            new DemoCommand(),
            new BootCommand(),
            new DisasmCommand(),
            new ExecCommand(),
            new RunCommand());

    private Commands() { }

    public static Optional<Command> find(String name) {
        for (Command c : ALL) if (c.name().equals(name)) return Optional.of(c);
        return Optional.empty();
    }
}
