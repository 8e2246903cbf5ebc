package org.jvmx.decoder;

/** Why a byte sequence does not decode to a valid instruction (the CPU raises #UD, or cannot fetch it). */
public enum InvalidReason {
    NONE("valid"),
    NO_MORE_BYTES("the input ends inside the instruction"),
    TOO_LONG("longer than 15 bytes"),
    UNDEFINED_OPCODE("no instruction has this opcode with these prefixes and ModRM"),
    INVALID_IN_64BIT("this opcode is invalid in 64-bit mode"),
    LOCK_NOT_ALLOWED("LOCK prefix on an instruction or operand that does not allow it"),
    VEX_WITH_LEGACY_PREFIX("VEX/EVEX after a 66, F2, F3, LOCK or REX prefix"),
    VEX_RESERVED_MAP("VEX/EVEX selects a reserved opcode map"),
    VVVV_NOT_UNUSED("VEX/EVEX.vvvv must be 1111b for this instruction"),
    EVEX_RESERVED_BITS("EVEX reserved bits are not as required"),
    EVEX_VECTOR_LENGTH("EVEX.L'L selects a vector length this instruction does not support"),
    EVEX_BROADCAST("EVEX.b (broadcast, rounding or SAE) is not allowed here"),
    EVEX_MASKING("EVEX masking (aaa/z) is not allowed here"),
    EVEX_HIGH_REGISTER("EVEX.R'/V' names a register that does not exist for this operand"),
    REGISTER_NOT_ALLOWED("a register operand where the instruction needs memory"),
    MEMORY_NOT_ALLOWED("a memory operand where the instruction needs a register"),
    INVALID_REGISTER("ModRM names a segment, control or debug register that does not exist"),
    VSIB_WITHOUT_SIB("VSIB addressing needs a SIB byte"),
    SAME_REGISTERS("the instruction forbids repeating a register among its operands");

    private final String text;

    InvalidReason(String text) {
        this.text = text;
    }

    /** One line of explanation. */
    public String text() {
        return text;
    }
}
