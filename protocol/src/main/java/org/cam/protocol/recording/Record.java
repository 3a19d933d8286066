package org.cam.protocol.recording;

import java.util.Arrays;
import java.util.Objects;
import org.cam.protocol.rfb.PixelFormat;

/**
 * One entry of a session recording. Every record carries the milliseconds since the recording started
 * ({@code timeMillis}, never decreasing within a recording). The wire form is in {@link RecordCodec}.
 */
public sealed interface Record {

    /** Milliseconds since the start of the recording. */
    long timeMillis();

    /** The wire type byte. */
    int type();

    int HEADER = 0;
    int DEVICE = 1;
    int KEY = 2;
    int POINTER = 3;
    int CLIPBOARD = 4;
    int CLIENT_CONTROL = 5;
    int KEYFRAME = 6;
    int END = 7;

    /**
     * What a player needs before the first device byte: who, what, when, and the device's ServerInit as the client got
     * it (size, pixel format, name). The client's later SetPixelFormat/SetEncodings are {@link ClientControl} records.
     *
     * @param serverInit the ServerInit bytes exactly as relayed to the client
     * @param mode       CONTROL or VIEW
     */
    record Header(long timeMillis, int version, String sessionId, String targetId, String user, String mode,
                  long startedAtEpochMillis, int width, int height, PixelFormat pixelFormat, byte[] serverInit)
            implements Record {
        public Header {
            Objects.requireNonNull(sessionId, "sessionId");
            targetId = targetId == null ? "" : targetId;
            user = user == null ? "" : user;
            mode = mode == null ? "" : mode;
            Objects.requireNonNull(pixelFormat, "pixelFormat");
            serverInit = serverInit.clone();
        }

        @Override
        public int type() {
            return HEADER;
        }

        @Override
        public byte[] serverInit() {
            return serverInit.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Header h && h.timeMillis == timeMillis && h.version == version
                    && h.sessionId.equals(sessionId) && h.targetId.equals(targetId) && h.user.equals(user)
                    && h.mode.equals(mode) && h.startedAtEpochMillis == startedAtEpochMillis && h.width == width
                    && h.height == height && h.pixelFormat.equals(pixelFormat) && Arrays.equals(h.serverInit, serverInit);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sessionId, startedAtEpochMillis, Arrays.hashCode(serverInit));
        }
    }

    /** Bytes of the device-to-client RFB stream, as the client got them (after the relay's policy). */
    record Device(long timeMillis, byte[] data) implements Record {
        public Device {
            data = data.clone();
        }

        @Override
        public int type() {
            return DEVICE;
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** Length without a copy. */
        public int length() {
            return data.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Device d && d.timeMillis == timeMillis && Arrays.equals(d.data, data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(timeMillis) * 31 + Arrays.hashCode(data);
        }
    }

    /** A KeyEvent the client sent (recorded whether or not a view session's policy dropped it). */
    record Key(long timeMillis, boolean down, int keysym) implements Record {
        @Override
        public int type() {
            return KEY;
        }
    }

    /** A PointerEvent the client sent. */
    record Pointer(long timeMillis, int buttonMask, int x, int y) implements Record {
        @Override
        public int type() {
            return POINTER;
        }
    }

    /** Text the client put on the clipboard towards the target. */
    record Clipboard(long timeMillis, String text) implements Record {
        public Clipboard {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public int type() {
            return CLIPBOARD;
        }
    }

    /**
     * A client message that changes how the device's stream must be read (SetPixelFormat, SetEncodings), as forwarded
     * to the device.
     */
    record ClientControl(long timeMillis, byte[] message) implements Record {
        public ClientControl {
            message = message.clone();
        }

        @Override
        public int type() {
            return CLIENT_CONTROL;
        }

        @Override
        public byte[] message() {
            return message.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ClientControl c && c.timeMillis == timeMillis && Arrays.equals(c.message, message);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(timeMillis) * 31 + Arrays.hashCode(message);
        }
    }

    /**
     * The broker asked the device for a full (non-incremental) update here; {@code deviceOffset} is the number of
     * device bytes recorded before this point, so the first FramebufferUpdate after it starts at or after that offset.
     */
    record Keyframe(long timeMillis, long deviceOffset) implements Record {
        @Override
        public int type() {
            return KEYFRAME;
        }
    }

    /** The session ended (the last record of a complete recording). */
    record End(long timeMillis, String reason) implements Record {
        public End {
            reason = reason == null ? "" : reason;
        }

        @Override
        public int type() {
            return END;
        }
    }
}
