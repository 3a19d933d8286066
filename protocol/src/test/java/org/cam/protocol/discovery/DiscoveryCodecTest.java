package org.cam.protocol.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cam.protocol.discovery.DiscoveryFixtures.KEY;
import static org.cam.protocol.discovery.DiscoveryFixtures.OTHER_KEY;
import static org.cam.protocol.discovery.DiscoveryFixtures.ip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.cam.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class DiscoveryCodecTest {

    private final DiscoveryCodec plain = DiscoveryCodec.unsigned();
    private final DiscoveryCodec signed = DiscoveryCodec.signed(KEY);

    /** The example in docs/protocols/discovery.md, byte for byte. */
    @Test
    void discoverMatchesTheDocumentedBytes() throws Exception {
        DiscoveryMessage m = DiscoveryMessage.discover(0x01020304, "cam",
                new ManagerAddress(ip("192.0.2.10"), 3080));
        byte[] wire = plain.encode(m);
        assertThat(HexFormat.of().formatHex(wire))
                .isEqualTo("43414d44" + "01" + "01" + "0000" + "01020304" + "100003" + "63616d" + "110006" + "c000020a0c08");
        assertThat(plain.decode(wire)).isEqualTo(m);
    }

    /** The signed example in docs/protocols/discovery.md; the HMAC was computed independently with
     *  {@code openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...1f}. */
    @Test
    void signedDiscoverMatchesTheDocumentedBytes() throws Exception {
        DiscoveryCodec codec = DiscoveryCodec.signed(SiteKey.fromBase64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
        DiscoveryMessage m = DiscoveryMessage.discover(0x01020304, "cam",
                new ManagerAddress(ip("192.0.2.10"), 3080));
        byte[] wire = codec.encode(m);
        assertThat(HexFormat.of().formatHex(wire)).isEqualTo("43414d44" + "01" + "01" + "8000" + "01020304"
                + "100003" + "63616d" + "110006" + "c000020a0c08"
                + "43057469969aff219caa3f897b71289e0d7cc22ae67868824f0e0c5912dc62f3");
        assertThat(codec.decode(wire)).isEqualTo(m);
    }

    @Test
    void announceRoundTripsAndFitsEasily() throws Exception {
        DiscoveryMessage m = DiscoveryFixtures.sampleAnnounce();
        byte[] wire = plain.encode(m);
        assertThat(wire.length).isLessThan(200);
        DiscoveryMessage back = plain.decode(wire);
        assertThat(back).isEqualTo(m);
        assertThat(back.device().deviceId()).hasToString("02:00:5e:10:00:01");
        assertThat(back.device().kvmPorts().portOfChannel(4)).isEqualTo(5903);
    }

    @Test
    void decodesAtAnOffsetInsideALargerBuffer() throws Exception {
        byte[] wire = signed.encode(DiscoveryFixtures.sampleAnnounce());
        byte[] big = new byte[wire.length + 20];
        System.arraycopy(wire, 0, big, 7, wire.length);
        assertThat(signed.decode(big, 7, wire.length)).isEqualTo(DiscoveryFixtures.sampleAnnounce());
    }

    @Test
    void replyEchoesTransactionAndManager() throws Exception {
        DiscoveryMessage d = DiscoveryMessage.discover(-5, "mgr-1", new ManagerAddress(ip("10.0.0.1"), 3080));
        DiscoveryMessage r = DiscoveryMessage.reply(d, DiscoveryFixtures.sampleDevice());
        DiscoveryMessage back = signed.decode(signed.encode(r));
        assertThat(back.type()).isEqualTo(MessageType.REPLY);
        assertThat(back.transactionId()).isEqualTo(-5);
        assertThat(back.managerId()).isEqualTo("mgr-1");
    }

    @Test
    void manualAnnounceCarriesFlagAndManager() throws Exception {
        ManagerAddress mgr = new ManagerAddress(ip("10.1.2.3"), 3080);
        DiscoveryMessage m = DiscoveryMessage.announceManual(1, DiscoveryFixtures.sampleDevice(), mgr);
        DiscoveryMessage back = plain.decode(plain.encode(m));
        assertThat(back.isManualMode()).isTrue();
        assertThat(back.managerAddress()).isEqualTo(mgr);
    }

    // ------------------------------------------------------------------------------------------------ signing

    @Test
    void signedDatagramCarriesFlagAndTrailer() throws Exception {
        byte[] u = plain.encode(DiscoveryFixtures.sampleAnnounce());
        byte[] s = signed.encode(DiscoveryFixtures.sampleAnnounce());
        assertThat(s.length).isEqualTo(u.length + DiscoveryCodec.SIGNATURE_SIZE);
        assertThat(s[6] & 0x80).isEqualTo(0x80);
        assertThat(u[6] & 0x80).isZero();
    }

    @Test
    void keyedDecoderRejectsUnsignedAndForeignSignatures() {
        byte[] unsigned = plain.encode(DiscoveryFixtures.sampleAnnounce());
        byte[] foreign = DiscoveryCodec.signed(OTHER_KEY).encode(DiscoveryFixtures.sampleAnnounce());
        assertReject(signed, unsigned, "missing signature", 6);
        assertReject(signed, foreign, "bad signature", foreign.length - 32);
    }

    @Test
    void keylessDecoderAcceptsSignedDatagrams() throws Exception {
        byte[] s = signed.encode(DiscoveryFixtures.sampleAnnounce());
        assertThat(plain.decode(s)).isEqualTo(DiscoveryFixtures.sampleAnnounce());
    }

    @Test
    void signatureIsCheckedBeforeTheBody() {
        // A body that is garbage under a valid header must still be reported as a signature problem with a key.
        byte[] s = signed.encode(DiscoveryFixtures.sampleAnnounce());
        s[13] ^= 0x7F;
        assertReject(signed, s, "bad signature", s.length - 32);
    }

    @Test
    void signedFlagWithoutRoomForTheMac() {
        byte[] d = header(2, 0x8000, 0);
        assertReject(plain, d, "truncated signature", 12);
        assertReject(signed, d, "truncated signature", 12);
    }

    @Test
    void siteKeyBounds() {
        assertThatThrownBy(() -> SiteKey.of(new byte[15])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SiteKey.fromBase64("not base64!")).isInstanceOf(IllegalArgumentException.class);
        assertThat(KEY.toString()).doesNotContain("c2l0");
    }

    // ------------------------------------------------------------------------------------------ header rejects

    @Test
    void headerRejects() {
        byte[] good = plain.encode(DiscoveryFixtures.sampleAnnounce());
        assertReject(plain, Arrays.copyOf(good, 11), "truncated header", 11);
        assertReject(plain, new byte[0], "truncated header", 0);
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertReject(plain, magic, "bad magic", 0);
        byte[] version = good.clone();
        version[4] = 2;
        assertReject(plain, version, "unsupported version", 4);
        byte[] type = good.clone();
        type[5] = 9;
        assertReject(plain, type, "unknown message type", 5);
        assertReject(plain, new byte[1401], "too large", 1400);
    }

    @Test
    void badBufferArgumentsAreAProtocolExceptionToo() {
        assertThatThrownBy(() -> plain.decode(null, 0, 0)).isInstanceOf(ProtocolException.class)
                .hasMessage("bad buffer");
        assertThatThrownBy(() -> plain.decode(new byte[10], 5, 6)).isInstanceOf(ProtocolException.class)
                .hasMessage("bad buffer");
        assertThatThrownBy(() -> plain.decode(new byte[10], -1, 2)).isInstanceOf(ProtocolException.class);
    }

    // --------------------------------------------------------------------------------------------- TLV rejects

    @Test
    void tlvStructureRejects() {
        byte[] discoverBody = concat(tlv(0x10, "m".getBytes(StandardCharsets.UTF_8)), tlv(0x11, 10, 0, 0, 1, 0x0c, 0x10));
        assertThat(decodeOk(concat(header(1, 0, 7), discoverBody)).managerId()).isEqualTo("m");
        // two bytes where a TLV header needs three
        assertReject(plain, concat(header(1, 0, 7), discoverBody, new byte[] {0x10, 0}), "truncated tlv", 12 + 13);
        // length pointing past the end
        assertReject(plain, concat(header(1, 0, 7), new byte[] {0x10, 0, 9, 'a'}), "truncated tlv", 12);
        // duplicate manager id
        assertReject(plain, concat(header(1, 0, 7), discoverBody, tlv(0x10, 'x')), "duplicate tlv", 25);
        // a device field inside a DISCOVER
        assertReject(plain, concat(header(1, 0, 7), tlv(0x09, 1), discoverBody), "unexpected tlv", 12);
        // missing fields
        assertReject(plain, concat(header(1, 0, 7), tlv(0x10, 'x')), "missing field: manager address", 16);
        assertReject(plain, header(3, 0, 7), "missing field: device id", 12);
    }

    @Test
    void unknownTlvsAreSkippedAnywhere() throws Exception {
        byte[] wire = plain.encode(DiscoveryFixtures.sampleAnnounce());
        byte[] withUnknown = concat(Arrays.copyOf(wire, 12), tlv(0x7E, new byte[300]), tlv(0xFF),
                Arrays.copyOfRange(wire, 12, wire.length), tlv(0x7E, 1, 2, 3));
        assertThat(plain.decode(withUnknown)).isEqualTo(DiscoveryFixtures.sampleAnnounce());
    }

    @Test
    void fieldValueRejects() {
        DeviceTlvs d = new DeviceTlvs();
        assertThat(decodeOk(d.datagram()).device().kvmPorts()).isEqualTo(PortRange.DEFAULT_KVM);
        assertReject(plain, d.with(0x01, 1, 2, 3).datagram(), "bad field: device id", -2);
        assertReject(plain, d.with(0x02).datagram(), "bad field: serial", -2);
        assertReject(plain, d.with(0x02, 'a', 0x0a).datagram(), "bad field: serial", -2);   // control character
        assertReject(plain, d.with(0x03, 0xC0, 0xAF).datagram(), "bad field: model", -2);   // overlong UTF-8
        assertReject(plain, d.with(0x04, 0xED, 0xA0, 0x80).datagram(), "bad field: firmware version", -2); // surrogate
        assertReject(plain, d.with(0x05, new byte[65]).datagram(), "bad field: device name", -2);
        assertReject(plain, d.with(0x07, 0, 0).datagram(), "bad field: https port", -2);
        assertReject(plain, d.with(0x08, 0, 10, 0, 9).datagram(), "bad field: kvm ports", -2);
        assertReject(plain, d.with(0x09, 0).datagram(), "bad field: channel count", -2);
        assertReject(plain, d.with(0x09, 4).datagram(), "bad field: channel count", -2); // 4 channels, 3 ports
        assertReject(plain, d.with(0x0B, new byte[31]).datagram(), "bad field: certificate fingerprint", -2);
        assertReject(plain, d.with(0x11, 1, 2, 3, 4, 0, 0).datagram(), "bad field: manager address", -2);
        assertReject(plain, d.without(0x0B).datagram(), "missing field: certificate fingerprint", -2);
        assertReject(plain, d.without(0x0A).datagram(), "missing field: boot counter", -2);
    }

    @Test
    void everyReasonIsDocumented() throws Exception {
        String doc = new String(java.nio.file.Files.readAllBytes(
                java.nio.file.Path.of("..", "docs", "protocols", "discovery.md")), StandardCharsets.UTF_8);
        for (String reason : DiscoveryReasons.ALL) {
            String documented = reason.startsWith("bad field: ") ? "bad field: "
                    : reason.startsWith("missing field: ") ? "missing field: " : reason;
            assertThat(doc).as(reason).contains("`" + documented);
        }
        for (Tlv t : Tlv.values()) {
            assertThat(doc).as(t.label).contains(t.label);
        }
    }

    @Test
    void recordsRejectInvalidValuesOnConstruction() {
        DeviceInfo d = DiscoveryFixtures.sampleDevice();
        assertThatThrownBy(() -> new DeviceInfo(d.deviceId(), "", d.model(), d.firmwareVersion(), null,
                d.address(), 1, d.kvmPorts(), 1, 0, d.certificateFingerprint())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeviceInfo(d.deviceId(), "x".repeat(65), d.model(), d.firmwareVersion(), null,
                d.address(), 1, d.kvmPorts(), 1, 0, d.certificateFingerprint())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeviceInfo(d.deviceId(), "bad\ud800", d.model(), d.firmwareVersion(), null,
                d.address(), 1, d.kvmPorts(), 1, 0, d.certificateFingerprint())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeviceInfo(d.deviceId(), d.serial(), d.model(), d.firmwareVersion(), null,
                d.address(), 1, new PortRange(900, 902), 4, 0, d.certificateFingerprint()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DiscoveryMessage(MessageType.ANNOUNCE, 0x8000, 0, d, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DiscoveryMessage(MessageType.DISCOVER, 0, 0, d, "m",
                new ManagerAddress(ip("10.0.0.1"), 3080))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MacAddress.parse("02:00:5e:10:00")).isInstanceOf(IllegalArgumentException.class);
        assertThat(MacAddress.parse("AA-BB-CC-DD-EE-FF")).hasToString("aa:bb:cc:dd:ee:ff");
        assertThat(CertificateFingerprint.parse(d.certificateFingerprint().toString()))
                .isEqualTo(d.certificateFingerprint());
    }

    // ----------------------------------------------------------------------------------------------- helpers

    private DiscoveryMessage decodeOk(byte[] d) {
        try {
            return plain.decode(d);
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    /** expectedOffset -2 means "any". */
    static void assertReject(DiscoveryCodec codec, byte[] d, String reason, int expectedOffset) {
        try {
            DiscoveryMessage m = codec.decode(d);
            throw new AssertionError("accepted " + m + ", expected " + reason);
        } catch (ProtocolException e) {
            assertThat(e.reason()).isEqualTo(reason);
            if (expectedOffset != -2) {
                assertThat(e.offset()).as("offset").isEqualTo(expectedOffset);
            }
        }
    }

    static byte[] header(int type, int flags, int tx) {
        return new byte[] {'C', 'A', 'M', 'D', 1, (byte) type, (byte) (flags >>> 8), (byte) flags,
            (byte) (tx >>> 24), (byte) (tx >>> 16), (byte) (tx >>> 8), (byte) tx};
    }

    static byte[] tlv(int type, int... value) {
        byte[] v = new byte[value.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) value[i];
        }
        return tlv(type, v);
    }

    static byte[] tlv(int type, byte[] value) {
        byte[] out = new byte[3 + value.length];
        out[0] = (byte) type;
        out[1] = (byte) (value.length >>> 8);
        out[2] = (byte) value.length;
        System.arraycopy(value, 0, out, 3, value.length);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A valid minimal REPLY body built TLV by TLV, to replace or drop one field at a time. */
    private static final class DeviceTlvs {
        private final java.util.TreeMap<Integer, byte[]> tlvs = new java.util.TreeMap<>();

        DeviceTlvs() {
            tlvs.put(0x01, tlv(0x01, 2, 0, 0, 0, 0, 1));
            tlvs.put(0x02, tlv(0x02, 'S', '1'));
            tlvs.put(0x03, tlv(0x03, 'M'));
            tlvs.put(0x04, tlv(0x04, '1'));
            tlvs.put(0x06, tlv(0x06, 127, 0, 1, 1));
            tlvs.put(0x07, tlv(0x07, 0x24, 0xE3));
            tlvs.put(0x09, tlv(0x09, 3));
            tlvs.put(0x0A, tlv(0x0A, 0, 0, 0, 1));
            tlvs.put(0x0B, tlv(0x0B, new byte[32]));
        }

        private DeviceTlvs(java.util.TreeMap<Integer, byte[]> copy) {
            tlvs.putAll(copy);
        }

        DeviceTlvs with(int type, int... value) {
            DeviceTlvs c = new DeviceTlvs(tlvs);
            c.tlvs.put(type, tlv(type, value));
            return c;
        }

        DeviceTlvs with(int type, byte[] value) {
            DeviceTlvs c = new DeviceTlvs(tlvs);
            c.tlvs.put(type, tlv(type, value));
            return c;
        }

        DeviceTlvs without(int type) {
            DeviceTlvs c = new DeviceTlvs(tlvs);
            c.tlvs.remove(type);
            return c;
        }

        byte[] datagram() {
            return concat(header(3, 0, 1), concat(tlvs.values().toArray(new byte[0][])));
        }
    }
}
