package org.jvmx.translator.mem;

/** The kind of a guest memory access; paging checks each differently (SDM Vol. 3A, 4.6). */
public enum Access {
    READ, WRITE, EXECUTE
}
