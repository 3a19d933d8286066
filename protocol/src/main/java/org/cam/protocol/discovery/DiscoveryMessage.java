package org.cam.protocol.discovery;

import java.util.Objects;
import org.cam.protocol.Text;

/**
 * One discovery datagram, decoded. Immutable and validated on construction.
 *
 * <p>Optional values are {@code null}. Which parts a type carries:
 * <table>
 * <caption>fields per type</caption>
 * <tr><th>type</th><th>device</th><th>managerId</th><th>managerAddress</th></tr>
 * <tr><td>DISCOVER</td><td>must be null</td><td>required</td><td>required: where REPLYs go</td></tr>
 * <tr><td>ANNOUNCE</td><td>required</td><td>optional</td><td>optional: the configured manager (manual mode)</td></tr>
 * <tr><td>REPLY</td><td>required</td><td>optional: echo of the DISCOVER's</td><td>optional</td></tr>
 * </table>
 *
 * <p>Prefer the factory methods {@link #discover}, {@link #announce}, {@link #announceManual} and {@link #reply}.
 *
 * @param type the message type
 * @param flags application flags, 0..0x7FFF (see {@link #FLAG_MANUAL_MODE}); bit 15 belongs to the codec, which
 *     sets it on signed datagrams and never shows it here. Undefined bits are carried, not interpreted.
 * @param transactionId a DISCOVER's id, echoed by every REPLY to it; for ANNOUNCE any value (e.g. random).
 *     32 bits, compare as unsigned ({@link Integer#toUnsignedString(int)} to print).
 * @param device the device's advertised fields (ANNOUNCE, REPLY)
 * @param managerId the manager's id, 1..64 bytes of text
 * @param managerAddress where the manager wants answers
 */
public record DiscoveryMessage(
        MessageType type,
        int flags,
        int transactionId,
        DeviceInfo device,
        String managerId,
        ManagerAddress managerAddress) {

    /** On ANNOUNCE: sent by unicast to a configured manager address (manual mode) rather than broadcast. */
    public static final int FLAG_MANUAL_MODE = 0x0001;
    /** Largest value of {@link #flags()}; bit 15 is the codec's "signed" bit. */
    public static final int MAX_FLAGS = 0x7FFF;
    public static final int MAX_MANAGER_ID_BYTES = 64;

    public DiscoveryMessage {
        Objects.requireNonNull(type, "type");
        if (flags < 0 || flags > MAX_FLAGS) {
            throw new IllegalArgumentException("flags must be 0..0x7FFF");
        }
        Text.checkField(managerId, "managerId", MAX_MANAGER_ID_BYTES, true);
        if (type == MessageType.DISCOVER) {
            if (device != null) {
                throw new IllegalArgumentException("DISCOVER carries no device");
            }
            if (managerId == null || managerAddress == null) {
                throw new IllegalArgumentException("DISCOVER requires managerId and managerAddress");
            }
        } else if (device == null) {
            throw new IllegalArgumentException(type + " requires a device");
        }
    }

    /** A DISCOVER from manager {@code managerId}, asking for REPLYs at {@code answerTo}. */
    public static DiscoveryMessage discover(int transactionId, String managerId, ManagerAddress answerTo) {
        return new DiscoveryMessage(MessageType.DISCOVER, 0, transactionId, null, managerId, answerTo);
    }

    /** A broadcast ANNOUNCE (auto mode). */
    public static DiscoveryMessage announce(int transactionId, DeviceInfo device) {
        return new DiscoveryMessage(MessageType.ANNOUNCE, 0, transactionId, device, null, null);
    }

    /** A unicast ANNOUNCE to the configured manager (manual mode); sets {@link #FLAG_MANUAL_MODE}. */
    public static DiscoveryMessage announceManual(int transactionId, DeviceInfo device, ManagerAddress manager) {
        Objects.requireNonNull(manager, "manager");
        return new DiscoveryMessage(MessageType.ANNOUNCE, FLAG_MANUAL_MODE, transactionId, device, null, manager);
    }

    /** The REPLY to {@code discover}: same transaction id, echoing the manager id. Send it to the DISCOVER's
     *  {@link #managerAddress()}. */
    public static DiscoveryMessage reply(DiscoveryMessage discover, DeviceInfo device) {
        if (discover.type() != MessageType.DISCOVER) {
            throw new IllegalArgumentException("not a DISCOVER: " + discover.type());
        }
        return new DiscoveryMessage(MessageType.REPLY, 0, discover.transactionId(), device, discover.managerId(),
                null);
    }

    public boolean isManualMode() {
        return (flags & FLAG_MANUAL_MODE) != 0;
    }
}
