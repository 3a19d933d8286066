package org.cam.simulator.device;

import java.util.Random;
import org.cam.protocol.discovery.MacAddress;

/**
 * What a device is: a MAC-style id (locally administered, 02:ca:...), serial and model. Derived from the
 * fleet seed and the device index, so the same command line gives the same ids every time.
 *
 * @param mac    device id
 * @param serial serial number
 * @param model  model name
 */
public record DeviceIdentity(MacAddress mac, String serial, String model) {

    /** The identity of device {@code index} under {@code seed}. */
    public static DeviceIdentity derive(long seed, int index, String model) {
        Random r = SimDevice.random(seed, index);
        // The index is folded in so that two devices of one fleet never share an id.
        long low = ((r.nextInt(0x100) & 0xffL) << 16) | (index & 0xffffL);
        long mac = 0x02CA_0000_0000L | ((seed & 0xffL) << 24) | low;
        String serial = String.format("SIM%02X%04X%06d", seed & 0xff, r.nextInt(0x10000), index + 1);
        return new DeviceIdentity(new MacAddress(mac), serial, model);
    }
}
