package org.jvmx.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Command} runs with: its parsed arguments and the output streams. {@code out} is
 * buffered (flushed by {@link Main} when the command returns); write through it, never through
 * {@code System.out}.
 */
public record Invocation(Command command, List<String> operands, Map<String, List<String>> options,
                         Writer out, PrintWriter err) {

    /** True when flag or option {@code name} was given. */
    public boolean has(String name) {
        return options.containsKey(name);
    }

    /** The (last) value of option {@code name}, or null. */
    public String value(String name) {
        List<String> v = options.get(name);
        return v == null ? null : v.get(v.size() - 1);
    }

    /** Every value of a repeatable option, in command-line order (empty when absent). */
    public List<String> values(String name) {
        return options.getOrDefault(name, List.of());
    }

    /** A usage error for this command: {@code NAME: problem (see 'jvmx NAME --help')}. */
    public CliException usageError(String problem) {
        return new CliException(command.name() + ": " + problem + " (see 'jvmx " + command.name() + " --help')");
    }
}
