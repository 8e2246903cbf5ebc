package org.jvmx.vmx.vmcs;

/** A line of a VMCS field table that contradicts the encoding rules of SDM Vol. 3C 25.11.2. */
public final class VmcsTableException extends IllegalArgumentException {
    public VmcsTableException(String source, int line, String message) {
        super(source + ":" + line + ": " + message);
    }
}
