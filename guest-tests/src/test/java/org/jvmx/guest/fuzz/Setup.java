package org.jvmx.guest.fuzz;

import java.util.List;
import java.util.Set;
import org.jvmx.decoder.Mnemonic;

/**
 * How a sequence loads a register with a known value right before an instruction that needs one
 * (string pointers and counts, XLAT's table, BT's bit offset, an index register): with MOV when
 * it is implemented, else with PUSH imm32 / POP (values here fit a sign-extended imm32).
 */
enum Setup {
    MOV, PUSH_POP;

    /** The way available for {@code implemented}, or null when there is none. */
    static Setup of(Set<Mnemonic> implemented) {
        if (implemented.contains(Mnemonic.MOV)) return MOV;
        if (implemented.contains(Mnemonic.PUSH) && implemented.contains(Mnemonic.POP)) return PUSH_POP;
        return null;
    }

    /** Lines that leave {@code value} in the 64-bit register {@code reg64}. */
    List<String> set(String reg64, long value) {
        if (value != (int) value) throw new IllegalArgumentException("setup value " + value + " is not an imm32");
        return this == MOV ? List.of("mov " + reg64 + ", " + value) : List.of("push " + value, "pop " + reg64);
    }
}
