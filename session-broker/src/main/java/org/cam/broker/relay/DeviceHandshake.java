package org.cam.broker.relay;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.cam.broker.management.Claim;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.ClientInit;
import org.cam.protocol.rfb.DeviceTls;
import org.cam.protocol.rfb.Handshake;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.protocol.rfb.SecurityType;
import org.cam.protocol.rfb.ServerInit;
import org.cam.protocol.rfb.VeNCrypt;
import org.cam.protocol.rfb.VncAuth;

/**
 * The broker as an RFB client of the device: version, security (VeNCrypt X509 with the certificate checked, VNC
 * Authentication with the device credential, or None; see {@link #choose}), ClientInit (always shared: exclusivity is management-api's access policy, not the RFB flag, so a
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

    /** What the handshake needs besides the socket: the TLS-capable client and the broker's CAs. */
    record Tls(NetClient client, List<X509Certificate> brokerCas) {
    }

    static Future<DeviceLink> connect(NetClient plain, Tls tls, Claim.Device device) {
        if (device == null || device.host() == null || device.port() <= 0 || device.port() > 0xffff) {
            return Future.failedFuture(new DeviceException("claim names no device endpoint", true, null));
        }
        List<X509Certificate> cas;
        try {
            cas = new ArrayList<>(DeviceTls.certificates(device.tlsCaPem()));
        } catch (GeneralSecurityException e) {
            return Future.failedFuture(new DeviceException("target CA is not PEM certificates: " + e.getMessage(),
                    false, e));
        }
        cas.addAll(tls.brokerCas());
        boolean x509 = device.tlsFingerprint() != null || !cas.isEmpty();
        // Only a target whose certificate can be checked is reached through the TLS-capable client.
        NetClient client = x509 ? tls.client() : plain;
        return client.connect(device.port(), device.host())
                .recover(t -> Future.failedFuture(new DeviceException("connect " + device.host() + ":"
                        + device.port() + ": " + t.getMessage(), true, t)))
                .compose(socket -> handshake(socket, device, x509, cas).recover(t -> {
                    socket.close();
                    return Future.failedFuture(t instanceof DeviceException ? t
                            : new DeviceException("device handshake: " + t.getMessage(), false, t));
                }));
    }

    private static Future<DeviceLink> handshake(NetSocket socket, Claim.Device device, boolean x509,
                                                List<X509Certificate> cas) {
        StreamReader in = new StreamReader(64 * 1024);
        socket.handler(in::feed);
        socket.closeHandler(v -> in.fail(new ProtocolException("device closed during the handshake")));
        socket.exceptionHandler(in::fail);
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
                        chosen[0] = choose(types, device, x509);
                    } catch (ProtocolException e) {
                        return Future.failedFuture(e);
                    }
                    socket.write(Buffer.buffer(new byte[] {(byte) chosen[0]}));
                    return Future.succeededFuture();
                });
            }
            return in.read(4).compose(t -> {
                chosen[0] = t.getInt(0);
                if (chosen[0] == 0) {
                    // RFB 3.3's "connection failed" with the server's reason. TigerVNC answers a blacklisted
                    // address this way ("Too many security failures") whatever version it otherwise speaks.
                    return in.read(4).compose(l -> {
                        int n = l.getInt(0);
                        if (n < 0 || n > Handshake.MAX_REASON) {
                            return Future.failedFuture(new ProtocolException("device refusal reason length " + n));
                        }
                        return in.read(n).compose(r -> Future.failedFuture(new ProtocolException(0,
                                "server refused: " + r.toString(java.nio.charset.StandardCharsets.UTF_8))));
                    });
                }
                if (chosen[0] == SecurityType.VNC_AUTH && device.auth() != Claim.DeviceAuth.VNC) {
                    return Future.failedFuture(new ProtocolException("device wants VNC auth, the target has no "
                            + "VNC password"));
                }
                if (chosen[0] != SecurityType.VNC_AUTH && chosen[0] != SecurityType.NONE) {
                    return Future.failedFuture(new ProtocolException("device security type " + chosen[0]));
                }
                return Future.succeededFuture();
            });
        }).compose(v -> switch (chosen[0]) {
            case SecurityType.VNC_AUTH -> vncAuth(socket, in, device.password());
            case SecurityType.VENCRYPT -> veNCrypt(socket, in, device, cas);
            default -> Future.<Void>succeededFuture();
        }).compose(v -> {
            boolean resultFollows = chosen[0] != SecurityType.NONE || version[0] == RfbVersion.V3_8;
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

    /**
     * The security type to use among the device's: VeNCrypt when its certificate can be checked (a pin or a CA),
     * else VNC Authentication with a VNC password, else None without a credential. Anonymous TLS (VeNCrypt's TLS*
     * sub-types) is never used: nothing would tell the device from a man in the middle.
     */
    static int choose(List<Integer> types, Claim.Device device, boolean x509) throws ProtocolException {
        if (x509 && types.contains(SecurityType.VENCRYPT)) {
            return SecurityType.VENCRYPT;
        }
        if (device.auth() == Claim.DeviceAuth.VNC && types.contains(SecurityType.VNC_AUTH)) {
            return SecurityType.VNC_AUTH;
        }
        if (device.auth() != Claim.DeviceAuth.PLAIN && types.contains(SecurityType.NONE)) {
            return SecurityType.NONE;
        }
        if (types.contains(SecurityType.VENCRYPT)) {
            throw new ProtocolException("device offers VeNCrypt " + types + ": the target needs a TLS fingerprint or "
                    + "CA to check the device's certificate");
        }
        throw new ProtocolException("device offers no usable security type " + types + " for a target with "
                + device.auth() + " credential");
    }

    private static Future<Void> vncAuth(NetSocket socket, StreamReader in, String password) {
        return in.read(VncAuth.CHALLENGE_LENGTH).map(challenge -> {
            socket.write(Buffer.buffer(VncAuth.response(challenge.getBytes(), password)));
            return null;
        });
    }

    /** VeNCrypt 0.2 with an X509 sub-type: version, sub-type, TLS, the certificate check, then the inner auth. */
    private static Future<Void> veNCrypt(NetSocket socket, StreamReader in, Claim.Device device,
                                         List<X509Certificate> cas) {
        int want = switch (device.auth()) {
            case PLAIN -> VeNCrypt.X509_PLAIN;
            case VNC -> VeNCrypt.X509_VNC;
            default -> VeNCrypt.X509_NONE;
        };
        return in.read(2).compose(v -> {
            if (v.getByte(0) != VeNCrypt.MAJOR || v.getByte(1) < VeNCrypt.MINOR) {
                return Future.failedFuture(new ProtocolException("device VeNCrypt version " + v.getByte(0) + "."
                        + v.getByte(1) + ", need 0.2"));
            }
            socket.write(Buffer.buffer(VeNCrypt.version()));
            return in.read(1);
        }).compose(ok -> ok.getByte(0) != 0 ? Future.failedFuture(new ProtocolException("device refused VeNCrypt 0.2"))
                : in.read(VeNCrypt::subtypesLength)).compose(st -> {
                    List<Integer> offered;
                    try {
                        byte[] b = st.getBytes();
                        offered = VeNCrypt.decodeSubtypes(b, 0, b.length);
                    } catch (ProtocolException e) {
                        return Future.failedFuture(e);
                    }
                    if (!offered.contains(want)) {
                        return Future.failedFuture(new ProtocolException("device offers VeNCrypt "
                                + offered.stream().map(VeNCrypt::name).toList() + ", not " + VeNCrypt.name(want)
                                + " (anonymous TLS is never used)"));
                    }
                    socket.write(Buffer.buffer(VeNCrypt.u32(want)));
                    return in.read(1);
                }).compose(ack -> ack.getByte(0) != 1
                        ? Future.failedFuture(new ProtocolException("device refused VeNCrypt " + VeNCrypt.name(want)))
                        : socket.upgradeToSsl(device.host())).compose(v -> {
                    try {
                        DeviceTls.verify(socket.peerCertificates(), device.host(), device.tlsFingerprint(), cas);
                    } catch (ProtocolException | javax.net.ssl.SSLPeerUnverifiedException e) {
                        return Future.failedFuture(e);
                    }
                    if (want == VeNCrypt.X509_VNC) {
                        return vncAuth(socket, in, device.password());
                    }
                    if (want == VeNCrypt.X509_PLAIN) {
                        socket.write(Buffer.buffer(VeNCrypt.encodePlain(device.username(), device.password())));
                    }
                    return Future.succeededFuture();
                });
    }
}
