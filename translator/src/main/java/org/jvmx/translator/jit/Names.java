package org.jvmx.translator.jit;

import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;

/** Internal names and descriptors the generated code refers to. */
final class Names {
    private Names() {
    }

    static final String CPU = "org/jvmx/translator/exec/Cpu";
    static final String CPU_D = "L" + CPU + ";";
    static final String STATE = "org/jvmx/translator/cpu/CpuState";
    static final String STATE_D = "L" + STATE + ";";
    static final String FLAGS = "org/jvmx/translator/cpu/LazyFlags";
    static final String FLAGS_D = "L" + FLAGS + ";";
    static final String STATS = "org/jvmx/translator/exec/ExecStats";
    static final String STATS_D = "L" + STATS + ";";
    static final String SEG = "org/jvmx/translator/cpu/SegmentRegister";
    static final String SEG_D = "L" + SEG + ";";
    static final String LINEAR = "org/jvmx/translator/mem/LinearMemory";
    static final String TLB = "org/jvmx/translator/mem/SoftTlb";
    static final String PHYS = "org/jvmx/translator/mem/PhysicalMemory";
    static final String MSEG_D = "Ljava/lang/foreign/MemorySegment;";
    static final String SEMANTICS = "org/jvmx/translator/exec/Semantics";
    static final String INSN = "org/jvmx/decoder/Instruction";
    static final String BLOCK = "org/jvmx/translator/exec/Block";
    static final String FAULT = "org/jvmx/translator/mem/GuestFault";
    static final String LEAVE = "org/jvmx/translator/exec/LeaveRequest";
    static final String EXIT = "org/jvmx/translator/exec/Exit";
    static final String COMPILED = "org/jvmx/translator/exec/CompiledCode";

    /** Bootstrap of the constants taken from the hidden class's class data. */
    static final Handle CLASS_DATA_AT = new Handle(Opcodes.H_INVOKESTATIC, "java/lang/invoke/MethodHandles", "classDataAt",
            "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;I)Ljava/lang/Object;", false);
}
