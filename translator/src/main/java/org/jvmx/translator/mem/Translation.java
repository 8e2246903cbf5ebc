package org.jvmx.translator.mem;

/**
 * A successful translation: the physical address of the linear address asked for, the size
 * of the page that mapped it (4 KiB, 2 MiB or 1 GiB), and whether the mapping is global
 * (G = 1 in the leaf entry with CR4.PGE = 1, SDM Vol. 3A, 4.10.2.4).
 */
public record Translation(long physical, long pageSize, boolean global) {
    public long physicalPage() {
        return physical & ~0xFFFL;
    }
}
