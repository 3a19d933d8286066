package org.cam.simulator;

/**
 * Loopback addresses for tests. Several builds may run this module's tests at once on one machine (each
 * module's build runs its dependencies' tests), so the second octet comes from the JVM's pid: two runs
 * then bind different addresses even though the ports are fixed.
 */
final class TestNet {

    private static final int NET = 100 + (int) (ProcessHandle.current().pid() % 100);

    private TestNet() {
    }

    /** 127.N.200.{last}. */
    static String addr(int last) {
        return "127." + NET + ".200." + last;
    }
}
