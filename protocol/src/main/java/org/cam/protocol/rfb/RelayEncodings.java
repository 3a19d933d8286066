package org.cam.protocol.rfb;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The encodings and pseudo-encodings a relay that frames both directions can let a client turn on: those whose
 * rectangles {@link ServerMessageFramer} can measure and whose client and server messages both framers know.
 * Everything else is removed from the client's SetEncodings before the server sees it, so the server never starts
 * an extension (a new message type, a longer PointerEvent, an unknown rectangle) the relay could not follow; an
 * unknown message is then a fault of the peer, closed with a reason, not a surprise.
 */
public final class RelayEncodings {

    private static final Set<Integer> SUPPORTED = Set.of(
            Encodings.RAW, Encodings.COPY_RECT, Encodings.RRE, Encodings.CORRE, Encodings.HEXTILE, Encodings.ZLIB,
            Encodings.TIGHT, Encodings.TIGHT_PNG, Encodings.ZRLE, Encodings.ZYWRLE,
            Encodings.DESKTOP_SIZE, Encodings.LAST_RECT, Encodings.POINTER_POS, Encodings.CURSOR, Encodings.X_CURSOR,
            Encodings.QEMU_POINTER_MOTION_CHANGE, Encodings.QEMU_EXTENDED_KEY_EVENT, Encodings.QEMU_AUDIO,
            Encodings.QEMU_LED_STATE, Encodings.GII, Encodings.DESKTOP_NAME, Encodings.EXTENDED_DESKTOP_SIZE,
            Encodings.XVP, Encodings.FENCE, Encodings.CONTINUOUS_UPDATES, Encodings.EXTENDED_CLIPBOARD);

    private RelayEncodings() {
    }

    /** True when a relay may let the client ask for this encoding. */
    public static boolean supported(int encoding) {
        return SUPPORTED.contains(encoding)
                // Tight's quality, compression, fine-quality and subsampling levels only tune the server's encoder.
                || inRange(encoding, Encodings.JPEG_QUALITY_FIRST, Encodings.JPEG_QUALITY_LAST)
                || inRange(encoding, Encodings.COMPRESS_LEVEL_FIRST, Encodings.COMPRESS_LEVEL_LAST)
                || inRange(encoding, Encodings.FINE_QUALITY_FIRST, Encodings.FINE_QUALITY_LAST)
                || inRange(encoding, Encodings.SUBSAMPLING_FIRST, Encodings.SUBSAMPLING_LAST);
    }

    /** The client's list without what is not {@link #supported} and without repeats, order kept. */
    public static List<Integer> filter(List<Integer> requested) {
        Set<Integer> out = new LinkedHashSet<>();
        for (int e : requested) {
            if (supported(e)) {
                out.add(e);
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean inRange(int e, int first, int last) {
        return e >= first && e <= last;
    }
}
