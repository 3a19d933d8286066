package org.cam.broker.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.cam.protocol.rfb.ServerInit;

/**
 * A device connection past its handshake.
 *
 * @param serverInitWire the device's ServerInit exactly as sent, passed on to the client unchanged
 * @param reader         holds what the device sent after its ServerInit, to go to the client first
 */
record DeviceLink(NetSocket socket, ServerInit serverInit, Buffer serverInitWire, StreamReader reader) {
}
