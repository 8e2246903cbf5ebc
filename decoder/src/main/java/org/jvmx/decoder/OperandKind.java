package org.jvmx.decoder;

/** What an instruction operand is. */
public enum OperandKind {
    /** A register: {@link Instruction#register(int)}. */
    REGISTER,
    /** Memory through ModRM/SIB or moffs: {@link Instruction#memBase()} and friends. */
    MEMORY,
    /** An immediate: {@link Instruction#immediate(int)}, already sign- or zero-extended. */
    IMMEDIATE,
    /** A relative branch target, resolved to an absolute address: {@link Instruction#branchTarget()}. */
    BRANCH,
    /** The source string operand seg:[rSI] (MOVS, LODS, CMPS, OUTS). */
    STRING_SRC,
    /** The destination string operand ES:[rDI] (MOVS, STOS, SCAS, CMPS, INS). */
    STRING_DST
}
