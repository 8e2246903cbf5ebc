package org.jvmx.vmx.vmcs;

/**
 * The launch state of a VMCS (Intel SDM Vol. 3C, 25.1 "Overview" and Figure 25-1): VMCLEAR
 * makes it CLEAR, a successful VMLAUNCH makes it LAUNCHED.
 */
public enum LaunchState {
    CLEAR,
    LAUNCHED
}
