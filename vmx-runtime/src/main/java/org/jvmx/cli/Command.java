package org.jvmx.cli;

import java.io.IOException;
import java.util.List;

/**
 * One {@code jvmx} subcommand. {@link Main} looks the command up in {@link Commands}, parses its
 * {@link #options()} (and {@code --help}), then calls {@link #run}. A new subcommand is one class
 * implementing this interface plus one line in {@link Commands#ALL}.
 */
public interface Command {
    /** The word on the command line, e.g. {@code disasm}. */
    String name();

    /** One line for the command list of {@code jvmx help}. */
    String summary();

    /** The synopsis after {@code jvmx}, e.g. {@code disasm FILE [--section NAME]...}. */
    String synopsis();

    /** Paragraphs printed by {@code jvmx NAME --help} between the synopsis and the options. */
    String description();

    /** The options this command accepts ({@code --help} is implicit). */
    List<Option> options();

    /**
     * When true, option parsing stops at the first operand, so everything after it is passed on
     * untouched (for commands that run a guest program with its own arguments).
     */
    default boolean optionsEndAtFirstOperand() {
        return false;
    }

    /**
     * Runs the command. Report a user error (bad input, missing file) by throwing {@link CliException}:
     * Main prints its one-line message and exits with status 2.
     *
     * @return the exit status
     */
    int run(Invocation inv) throws CliException, IOException;
}
