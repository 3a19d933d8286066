package org.cam.broker.relay;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.List;
import org.cam.broker.management.Claim;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.ClientInit;
import org.cam.protocol.rfb.Handshake;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.protocol.rfb.SecurityType;
import org.cam.protocol.rfb.ServerInit;
import org.cam.protocol.rfb.VncAuth;

/**
 * The broker as an RFB client of the device: version, security (VNC Authentication with the device credential,
 * or None), ClientInit (always shared: exclusivity is management-api's access policy, not the RFB flag, so a
 * stock client's "exclusive" request must not kick other CAM viewers off the channel), ServerInit.
 */
final class DeviceHandshake {

    /** Failure of the device side; {@code unreachable} separates connect errors from protocol errors. */
    static final class DeviceException extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean unreachable;

        DeviceException(String message, boolean unreachable, Throwable cause) {
            super(message, cause);
            this.unreachable = unreachable;
        }
    }

    private DeviceHandshake() {
    }

    static Future<DeviceLink> connect(NetClient client, Claim.Device device) {
        if (device == null || device.host() == null || device.port() <= 0 || device.port() > 0xffff) {
            return Future.failedFuture(new DeviceException("claim names no device endpoint", true, null));
        }
        return client.connect(device.port(), device.host())
                .recover(t -> Future.failedFuture(new DeviceException("connect " + device.host() + ":"
                        + device.port() + ": " + t.getMessage(), true, t)))
                .compose(socket -> handshake(socket, device).recover(t -> {
                    socket.close();
                    return Future.failedFuture(t instanceof DeviceException ? t
                            : new DeviceException("device handshake: " + t.getMessage(), false, t));
                }));
    }

    private static Future<DeviceLink> handshake(NetSocket socket, Claim.Device device) {
        StreamReader in = new StreamReader(64 * 1024);
        socket.handler(in::feed);
        socket.closeHandler(v -> in.fail(new ProtocolException("device closed during the handshake")));
        socket.exceptionHandler(in::fail);
        String password = device.auth() == Claim.DeviceAuth.VNC ? device.password() : null;
        RfbVersion[] version = new RfbVersion[1];
        int[] chosen = new int[1];
        return in.read(RfbVersion.LENGTH).compose(b -> {
            try {
                version[0] = RfbVersion.decode(b.getBytes(), 0, RfbVersion.LENGTH);
            } catch (ProtocolException e) {
                return Future.failedFuture(e);
            }
            socket.write(Buffer.buffer(version[0].encode()));
            if (version[0].negotiatesSecurityTypes()) {
                return in.read(Handshake::securityTypesLength).compose(t -> {
                    List<Integer> types;
                    try {
                        byte[] tb = t.getBytes();
                        types = Handshake.decodeSecurityTypes(tb, 0, tb.length);
                    } catch (ProtocolException e) {
                        return Future.failedFuture(e);
                    }
                    if (password != null && types.contains(SecurityType.VNC_AUTH)) {
                        chosen[0] = SecurityType.VNC_AUTH;
                    } else if (types.contains(SecurityType.NONE)) {
                        chosen[0] = SecurityType.NONE;
                    } else {
                        return Future.failedFuture(new ProtocolException("device offers no usable security type "
                                + types));
                    }
                    socket.write(Buffer.buffer(new byte[] {(byte) chosen[0]}));
                    return Future.succeededFuture();
                });
            }
            return in.read(4).compose(t -> {
                chosen[0] = t.getInt(0);
                if (chosen[0] == SecurityType.VNC_AUTH && password == null) {
                    return Future.failedFuture(new ProtocolException("device wants VNC auth, claim has no password"));
                }
                if (chosen[0] != SecurityType.VNC_AUTH && chosen[0] != SecurityType.NONE) {
                    return Future.failedFuture(new ProtocolException("device security type " + chosen[0]));
                }
                return Future.succeededFuture();
            });
        }).compose(v -> {
            if (chosen[0] != SecurityType.VNC_AUTH) {
                return Future.succeededFuture();
            }
            return in.read(VncAuth.CHALLENGE_LENGTH).map(challenge -> {
                socket.write(Buffer.buffer(VncAuth.response(challenge.getBytes(), password)));
                return null;
            });
        }).compose(v -> {
            boolean resultFollows = chosen[0] == SecurityType.VNC_AUTH || version[0] == RfbVersion.V3_8;
            if (!resultFollows) {
                return Future.succeededFuture();
            }
            return in.read(4).compose(r -> r.getInt(0) == Handshake.RESULT_OK ? Future.succeededFuture()
                    : Future.failedFuture(new ProtocolException("device refused the credential")));
        }).compose(v -> {
            socket.write(Buffer.buffer(new ClientInit(true).encode()));
            return in.read(ServerInit::length);
        }).compose(si -> {
            ServerInit init;
            try {
                byte[] b = si.getBytes();
                init = ServerInit.decode(b, 0, b.length);
            } catch (ProtocolException e) {
                return Future.failedFuture(e);
            }
            // The reader stays the socket's handler until the relay starts: it buffers what the device sends
            // while the client finishes its side of the handshake.
            return Future.succeededFuture(new DeviceLink(socket, init, si, in));
        });
    }
}
