package org.cam.protocol.discovery;

import java.util.HexFormat;

/**
 * A device id: a 48-bit MAC address, printed as {@code aa:bb:cc:dd:ee:ff} (lower case).
 *
 * @param value the 48 address bits in the low bits of a long (0 .. 2^48-1)
 */
public record MacAddress(long value) {

    private static final long MASK = 0xFFFF_FFFF_FFFFL;

    public MacAddress {
        if ((value & ~MASK) != 0) {
            throw new IllegalArgumentException("MAC address has more than 48 bits");
        }
    }

    /** From 6 bytes starting at {@code off}. */
    public static MacAddress of(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return new MacAddress(v);
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} or {@code aa-bb-cc-dd-ee-ff}, any case. */
    public static MacAddress parse(String text) {
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException("MAC address must look like aa:bb:cc:dd:ee:ff");
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            int hi = Character.digit(text.charAt(i * 3), 16);
            int lo = Character.digit(text.charAt(i * 3 + 1), 16);
            if (hi < 0 || lo < 0 || (i < 5 && text.charAt(i * 3 + 2) != ':' && text.charAt(i * 3 + 2) != '-')) {
                throw new IllegalArgumentException("MAC address must look like aa:bb:cc:dd:ee:ff");
            }
            v = (v << 8) | (hi << 4) | lo;
        }
        return new MacAddress(v);
    }

    /** The 6 bytes in transmission order. */
    public byte[] toBytes() {
        byte[] b = new byte[6];
        writeTo(b, 0);
        return b;
    }

    void writeTo(byte[] b, int off) {
        for (int i = 0; i < 6; i++) {
            b[off + i] = (byte) (value >>> (8 * (5 - i)));
        }
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(toBytes());
    }
}
