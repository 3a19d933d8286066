package org.cam.simulator;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.cam.protocol.discovery.DiscoveryMessage;
import org.cam.protocol.discovery.ManagerAddress;

/**
 * A stand-in manager for {@link NamespaceBroadcastTest}, run inside a network namespace with
 * {@code ip netns exec}: listens on 0.0.0.0:3080, prints "listening", then prints each datagram as
 * "datagram HEX". After the first one it broadcasts a DISCOVER to {@code args[1]}:3081 asking for answers at
 * {@code args[0]}:3080, and prints the next datagram too. Exits after two datagrams or 60 seconds.
 */
public final class UdpCapture {

    public static void main(String[] args) throws Exception {
        String self = args[0];
        String broadcast = args[1];
        try (DatagramSocket s = new DatagramSocket(null)) {
            s.setReuseAddress(true);
            s.setBroadcast(true);
            s.setSoTimeout(60_000);
            s.bind(new InetSocketAddress("0.0.0.0", 3080));
            System.out.println("listening");
            System.out.flush();
            for (int i = 0; i < 2; i++) {
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                s.receive(p);
                System.out.println("datagram " + HexFormat.of().formatHex(p.getData(), 0, p.getLength()));
                System.out.flush();
                if (i == 0) {
                    ManagerAddress me = new ManagerAddress((Inet4Address) InetAddress.getByName(self), 3080);
                    byte[] d = DiscoveryCodec.unsigned().encode(DiscoveryMessage.discover(77, "ns-manager", me));
                    s.send(new DatagramPacket(d, d.length, new InetSocketAddress(broadcast, 3081)));
                }
            }
        }
    }
}
