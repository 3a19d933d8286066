package org.cam.protocol.discovery;

/**
 * An inclusive TCP port range, here the device's KVM (RFB) ports: channel c is served on {@code first + c - 1}.
 */
public record PortRange(int first, int last) {

    /** The default KVM range of a device, used when an ANNOUNCE or REPLY does not carry one. */
    public static final PortRange DEFAULT_KVM = new PortRange(900, 902);

    public PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("port range must satisfy 1 <= first <= last <= 65535");
        }
    }

    /** Number of ports in the range. */
    public int size() {
        return last - first + 1;
    }

    /** The port serving channel {@code channel} (1-based). */
    public int portOfChannel(int channel) {
        if (channel < 1 || channel > size()) {
            throw new IllegalArgumentException("channel " + channel + " outside 1.." + size());
        }
        return first + channel - 1;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
