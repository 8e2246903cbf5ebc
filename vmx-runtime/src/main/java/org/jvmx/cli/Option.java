package org.jvmx.cli;

/**
 * A long option of a {@link Command}: {@code --name}, or {@code --name VALUE} / {@code --name=VALUE}
 * when {@code valueName} is non-null.
 *
 * @param name       without the leading dashes
 * @param valueName  the value's placeholder in help text, or null for a flag
 * @param repeatable may be given more than once (values accumulate)
 * @param help       one line for {@code --help}
 */
public record Option(String name, String valueName, boolean repeatable, String help) {

    public static Option flag(String name, String help) {
        return new Option(name, null, false, help);
    }

    public static Option value(String name, String valueName, String help) {
        return new Option(name, valueName, false, help);
    }

    public static Option repeatable(String name, String valueName, String help) {
        return new Option(name, valueName, true, help);
    }

    public boolean takesValue() {
        return valueName != null;
    }

    /** {@code --name VALUE}. */
    public String usage() {
        return "--" + name + (valueName == null ? "" : " " + valueName);
    }
}
