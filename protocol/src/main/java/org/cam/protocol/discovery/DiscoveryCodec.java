package org.cam.protocol.discovery;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.cam.protocol.ByteReader;
import org.cam.protocol.ProtocolException;

/**
 * Encodes and decodes discovery datagrams (wire format: docs/protocols/discovery.md). Thread-safe.
 *
 * <p>With a {@link SiteKey}, {@link #encode} appends an HMAC-SHA256 and {@link #decode} rejects datagrams that are
 * unsigned ("missing signature") or wrongly signed ("bad signature"). Without a key, {@link #encode} sends unsigned
 * datagrams and {@link #decode} accepts both unsigned and signed ones, ignoring the HMAC it cannot check: this lets
 * a site give devices the key before the manager without losing them in between.
 *
 * <p>{@link #decode} throws only {@link ProtocolException}, with a reason from {@link DiscoveryReasons}. It verifies
 * the HMAC before it parses anything past the header. It never copies the datagram and never sizes an allocation
 * from a length field: it allocates only the decoded values (well under {@link #MAX_DATAGRAM_SIZE} bytes).
 */
public final class DiscoveryCodec {

    /** Largest datagram, on encode and decode; keeps clear of a 1500-byte Ethernet MTU with IP/UDP headers. */
    public static final int MAX_DATAGRAM_SIZE = 1400;
    /** Header length: magic(4) version(1) type(1) flags(2) transaction id(4). */
    public static final int HEADER_SIZE = 12;
    /** "CAMD" */
    public static final int MAGIC = 0x43414D44;
    public static final int VERSION = 1;
    /** Header flag bit set on signed datagrams; the last 32 bytes are then the HMAC. */
    public static final int FLAG_SIGNED = 0x8000;
    /** HMAC-SHA256 trailer length. */
    public static final int SIGNATURE_SIZE = SiteKey.MAC_LENGTH;

    private static final int TLV_HEADER = 3;

    private final SiteKey key;

    private DiscoveryCodec(SiteKey key) {
        this.key = key;
    }

    /** A codec without a site key: sends unsigned, accepts unsigned and signed (unchecked). */
    public static DiscoveryCodec unsigned() {
        return new DiscoveryCodec(null);
    }

    /** A codec with a site key: signs everything it sends, accepts only correctly signed datagrams. */
    public static DiscoveryCodec signed(SiteKey key) {
        if (key == null) {
            throw new IllegalArgumentException("site key is required; use unsigned() for none");
        }
        return new DiscoveryCodec(key);
    }

    /** {@link #signed} when {@code key} is non-null, else {@link #unsigned}: convenient for optional config. */
    public static DiscoveryCodec withOptionalKey(SiteKey key) {
        return new DiscoveryCodec(key);
    }

    public boolean isSigning() {
        return key != null;
    }

    // ---------------------------------------------------------------------------------------------------- encode

    /**
     * Encodes {@code msg} (signed when this codec has a key).
     *
     * @throws IllegalArgumentException if the datagram would exceed {@link #MAX_DATAGRAM_SIZE} (the field bounds
     *     keep every valid message far below it; the check guards future fields)
     */
    public byte[] encode(DiscoveryMessage msg) {
        DeviceInfo d = msg.device();
        // Text first, so the datagram is allocated once at its exact size.
        byte[] serial = null;
        byte[] model = null;
        byte[] firmware = null;
        byte[] name = null;
        int size = HEADER_SIZE + (key != null ? SIGNATURE_SIZE : 0);
        if (d != null) {
            serial = utf8(d.serial());
            model = utf8(d.model());
            firmware = utf8(d.firmwareVersion());
            name = d.name() == null ? null : utf8(d.name());
            size += TLV_HEADER * 10 + 6 + serial.length + model.length + firmware.length + 4 + 2 + 4 + 1 + 4
                    + CertificateFingerprint.LENGTH + (name == null ? 0 : TLV_HEADER + name.length);
        }
        byte[] managerId = msg.managerId() == null ? null : utf8(msg.managerId());
        if (managerId != null) {
            size += TLV_HEADER + managerId.length;
        }
        ManagerAddress m = msg.managerAddress();
        if (m != null) {
            size += TLV_HEADER + 6;
        }
        if (size > MAX_DATAGRAM_SIZE) {
            throw new IllegalArgumentException("discovery datagram would exceed " + MAX_DATAGRAM_SIZE + " bytes");
        }

        byte[] out = new byte[size];
        int flags = msg.flags() | (key != null ? FLAG_SIGNED : 0);
        putInt(out, 0, MAGIC);
        out[4] = (byte) VERSION;
        out[5] = (byte) msg.type().code();
        out[6] = (byte) (flags >>> 8);
        out[7] = (byte) flags;
        putInt(out, 8, msg.transactionId());
        int p = HEADER_SIZE;
        if (d != null) {
            p = tlvHeader(out, p, Tlv.DEVICE_ID, 6);
            d.deviceId().writeTo(out, p);
            p += 6;
            p = text(out, p, Tlv.SERIAL, serial);
            p = text(out, p, Tlv.MODEL, model);
            p = text(out, p, Tlv.FIRMWARE_VERSION, firmware);
            if (name != null) {
                p = text(out, p, Tlv.DEVICE_NAME, name);
            }
            p = tlvHeader(out, p, Tlv.IPV4_ADDRESS, 4);
            System.arraycopy(d.address().getAddress(), 0, out, p, 4);
            p += 4;
            p = tlvHeader(out, p, Tlv.HTTPS_PORT, 2);
            p = putShort(out, p, d.httpsPort());
            p = tlvHeader(out, p, Tlv.KVM_PORTS, 4);
            p = putShort(out, p, d.kvmPorts().first());
            p = putShort(out, p, d.kvmPorts().last());
            p = tlvHeader(out, p, Tlv.CHANNEL_COUNT, 1);
            out[p++] = (byte) d.channelCount();
            p = tlvHeader(out, p, Tlv.BOOT_COUNTER, 4);
            putInt(out, p, (int) d.bootCounter());
            p += 4;
            p = tlvHeader(out, p, Tlv.CERT_FINGERPRINT, CertificateFingerprint.LENGTH);
            d.certificateFingerprint().writeTo(out, p);
            p += CertificateFingerprint.LENGTH;
        }
        if (managerId != null) {
            p = text(out, p, Tlv.MANAGER_ID, managerId);
        }
        if (m != null) {
            p = tlvHeader(out, p, Tlv.MANAGER_ADDRESS, 6);
            System.arraycopy(m.address().getAddress(), 0, out, p, 4);
            p = putShort(out, p + 4, m.port());
        }
        if (key != null) {
            key.sign(out, 0, p, out, p);
            p += SIGNATURE_SIZE;
        }
        if (p != size) {
            throw new IllegalStateException("size computed " + size + ", written " + p); // a bug here, not input
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int text(byte[] out, int p, Tlv t, byte[] b) {
        p = tlvHeader(out, p, t, b.length);
        System.arraycopy(b, 0, out, p, b.length);
        return p + b.length;
    }

    private static int tlvHeader(byte[] out, int p, Tlv t, int len) {
        out[p] = (byte) t.code;
        out[p + 1] = (byte) (len >>> 8);
        out[p + 2] = (byte) len;
        return p + TLV_HEADER;
    }

    private static int putShort(byte[] out, int p, int v) {
        out[p] = (byte) (v >>> 8);
        out[p + 1] = (byte) v;
        return p + 2;
    }

    private static void putInt(byte[] out, int p, int v) {
        out[p] = (byte) (v >>> 24);
        out[p + 1] = (byte) (v >>> 16);
        out[p + 2] = (byte) (v >>> 8);
        out[p + 3] = (byte) v;
    }

    // ---------------------------------------------------------------------------------------------------- decode

    /** {@link #decode(byte[], int, int)} over the whole array. */
    public DiscoveryMessage decode(byte[] datagram) throws ProtocolException {
        return decode(datagram, 0, datagram == null ? 0 : datagram.length);
    }

    /**
     * Decodes one datagram of {@code len} bytes at {@code off}.
     *
     * @throws ProtocolException for anything that is not a valid datagram (also for a null array or a range
     *     outside it: "bad buffer"); offsets are relative to {@code off}
     */
    public DiscoveryMessage decode(byte[] buf, int off, int len) throws ProtocolException {
        ByteReader r = new ByteReader(buf, off, len);
        if (len > MAX_DATAGRAM_SIZE) {
            throw new ProtocolException(MAX_DATAGRAM_SIZE, DiscoveryReasons.TOO_LARGE);
        }
        if (len < HEADER_SIZE) {
            throw new ProtocolException(len, DiscoveryReasons.TRUNCATED_HEADER);
        }
        if (r.i32(DiscoveryReasons.TRUNCATED_HEADER) != MAGIC) {
            throw new ProtocolException(0, DiscoveryReasons.BAD_MAGIC);
        }
        if (r.u8(DiscoveryReasons.TRUNCATED_HEADER) != VERSION) {
            throw new ProtocolException(4, DiscoveryReasons.UNSUPPORTED_VERSION);
        }
        MessageType type = MessageType.ofCode(r.u8(DiscoveryReasons.TRUNCATED_HEADER));
        if (type == null) {
            throw new ProtocolException(5, DiscoveryReasons.UNKNOWN_TYPE);
        }
        int flags = r.u16(DiscoveryReasons.TRUNCATED_HEADER);
        int transactionId = r.i32(DiscoveryReasons.TRUNCATED_HEADER);

        int bodyEnd = len;
        if ((flags & FLAG_SIGNED) != 0) {
            if (len < HEADER_SIZE + SIGNATURE_SIZE) {
                throw new ProtocolException(len, DiscoveryReasons.TRUNCATED_SIGNATURE);
            }
            bodyEnd = len - SIGNATURE_SIZE;
            // Authenticate before parsing: with a key, nothing unauthenticated reaches the TLV parser.
            if (key != null && !key.verify(buf, off, bodyEnd, off + bodyEnd)) {
                throw new ProtocolException(bodyEnd, DiscoveryReasons.BAD_SIGNATURE);
            }
        } else if (key != null) {
            throw new ProtocolException(6, DiscoveryReasons.MISSING_SIGNATURE);
        }
        return parseBody(r, type, flags & ~FLAG_SIGNED, transactionId, bodyEnd);
    }

    private static DiscoveryMessage parseBody(ByteReader r, MessageType type, int flags, int transactionId,
                                              int bodyEnd) throws ProtocolException {
        long seen = 0;
        MacAddress deviceId = null;
        String serial = null;
        String model = null;
        String firmware = null;
        String name = null;
        Inet4Address address = null;
        int httpsPort = -1;
        PortRange kvmPorts = null;
        int channelCount = -1;
        long bootCounter = -1;
        CertificateFingerprint fingerprint = null;
        String managerId = null;
        ManagerAddress managerAddress = null;
        int channelCountAt = -1;

        while (r.position() < bodyEnd) {
            int tlvAt = r.position();
            if (bodyEnd - tlvAt < TLV_HEADER) {
                throw new ProtocolException(tlvAt, DiscoveryReasons.TRUNCATED_TLV);
            }
            int code = r.u8(DiscoveryReasons.TRUNCATED_TLV);
            int length = r.u16(DiscoveryReasons.TRUNCATED_TLV);
            int valueAt = r.position();
            if (length > bodyEnd - valueAt) {
                throw new ProtocolException(tlvAt, DiscoveryReasons.TRUNCATED_TLV);
            }
            Tlv t = Tlv.ofCode(code);
            if (t == null) {
                r.skip(length, DiscoveryReasons.TRUNCATED_TLV); // unknown: skipped for forward compatibility
                continue;
            }
            if ((seen & (1L << t.code)) != 0) {
                throw new ProtocolException(tlvAt, DiscoveryReasons.DUPLICATE_TLV);
            }
            seen |= 1L << t.code;
            if (type == MessageType.DISCOVER && t.isDeviceField()) {
                throw new ProtocolException(tlvAt, DiscoveryReasons.UNEXPECTED_TLV);
            }
            if (length < t.minLength || length > t.maxLength) {
                throw new ProtocolException(tlvAt, t.badReason);
            }
            switch (t) {
                case DEVICE_ID: {
                    long v = ((long) r.u16(t.badReason) << 32) | r.u32(t.badReason);
                    deviceId = new MacAddress(v);
                    break;
                }
                case SERIAL:
                    serial = r.utf8(length, DiscoveryReasons.TRUNCATED_TLV, t.badReason);
                    break;
                case MODEL:
                    model = r.utf8(length, DiscoveryReasons.TRUNCATED_TLV, t.badReason);
                    break;
                case FIRMWARE_VERSION:
                    firmware = r.utf8(length, DiscoveryReasons.TRUNCATED_TLV, t.badReason);
                    break;
                case DEVICE_NAME:
                    name = r.utf8(length, DiscoveryReasons.TRUNCATED_TLV, t.badReason);
                    break;
                case IPV4_ADDRESS:
                    address = ipv4(r.i32(t.badReason));
                    break;
                case HTTPS_PORT:
                    httpsPort = r.u16(t.badReason);
                    if (httpsPort == 0) {
                        throw new ProtocolException(valueAt, t.badReason);
                    }
                    break;
                case KVM_PORTS: {
                    int first = r.u16(t.badReason);
                    int last = r.u16(t.badReason);
                    if (first == 0 || first > last) {
                        throw new ProtocolException(valueAt, t.badReason);
                    }
                    kvmPorts = new PortRange(first, last);
                    break;
                }
                case CHANNEL_COUNT:
                    channelCount = r.u8(t.badReason);
                    channelCountAt = valueAt;
                    if (channelCount == 0) {
                        throw new ProtocolException(valueAt, t.badReason);
                    }
                    break;
                case BOOT_COUNTER:
                    bootCounter = r.u32(t.badReason);
                    break;
                case CERT_FINGERPRINT:
                    fingerprint = CertificateFingerprint.wrap(r.bytes(CertificateFingerprint.LENGTH, t.badReason));
                    break;
                case MANAGER_ID:
                    managerId = r.utf8(length, DiscoveryReasons.TRUNCATED_TLV, t.badReason);
                    break;
                case MANAGER_ADDRESS: {
                    Inet4Address ip = ipv4(r.i32(t.badReason));
                    int port = r.u16(t.badReason);
                    if (port == 0) {
                        throw new ProtocolException(valueAt + 4, t.badReason);
                    }
                    managerAddress = new ManagerAddress(ip, port);
                    break;
                }
                default:
                    throw new IllegalStateException("unhandled " + t); // every Tlv constant has a case above
            }
        }

        if (type == MessageType.DISCOVER) {
            require(managerId, Tlv.MANAGER_ID, bodyEnd);
            require(managerAddress, Tlv.MANAGER_ADDRESS, bodyEnd);
            return new DiscoveryMessage(type, flags, transactionId, null, managerId, managerAddress);
        }
        require(deviceId, Tlv.DEVICE_ID, bodyEnd);
        require(serial, Tlv.SERIAL, bodyEnd);
        require(model, Tlv.MODEL, bodyEnd);
        require(firmware, Tlv.FIRMWARE_VERSION, bodyEnd);
        require(address, Tlv.IPV4_ADDRESS, bodyEnd);
        require(httpsPort < 0 ? null : Boolean.TRUE, Tlv.HTTPS_PORT, bodyEnd);
        require(channelCount < 0 ? null : Boolean.TRUE, Tlv.CHANNEL_COUNT, bodyEnd);
        require(bootCounter < 0 ? null : Boolean.TRUE, Tlv.BOOT_COUNTER, bodyEnd);
        require(fingerprint, Tlv.CERT_FINGERPRINT, bodyEnd);
        if (kvmPorts == null) {
            kvmPorts = PortRange.DEFAULT_KVM;
        }
        if (channelCount > kvmPorts.size()) {
            throw new ProtocolException(channelCountAt, Tlv.CHANNEL_COUNT.badReason);
        }
        DeviceInfo device = new DeviceInfo(deviceId, serial, model, firmware, name, address, httpsPort, kvmPorts,
                channelCount, bootCounter, fingerprint);
        return new DiscoveryMessage(type, flags, transactionId, device, managerId, managerAddress);
    }

    private static void require(Object value, Tlv t, int at) throws ProtocolException {
        if (value == null) {
            throw new ProtocolException(at, t.missingReason);
        }
    }

    private static Inet4Address ipv4(int v) {
        byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        try {
            return (Inet4Address) InetAddress.getByAddress(b); // literal bytes: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always a valid IPv4 address", e);
        }
    }
}
