package org.cam.discovery.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Ipv4Test {

    @Test
    void parsesAndFormats() {
        assertThat(Ipv4.format(Ipv4.parse("10.214.0.255"))).isEqualTo("10.214.0.255");
        assertThat(Ipv4.format(Ipv4.parse("255.255.255.255"))).isEqualTo("255.255.255.255");
        for (String bad : new String[] {"10.0.0", "10.0.0.256", "a.b.c.d", "10..0.1", "localhost", "1.2.3.4.5", ""}) {
            assertThatThrownBy(() -> Ipv4.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void cidrHostsSkipNetworkAndBroadcast() {
        Ipv4.Cidr c = Ipv4.Cidr.parse("127.0.2.7/24");
        assertThat(c.toString()).isEqualTo("127.0.2.0/24");
        assertThat(Ipv4.format(c.firstHost())).isEqualTo("127.0.2.1");
        assertThat(Ipv4.format(c.lastHost())).isEqualTo("127.0.2.254");
        assertThat(c.hostCount()).isEqualTo(254);
        assertThat(Ipv4.Cidr.parse("10.0.0.5/32").hostCount()).isEqualTo(1);
        assertThat(Ipv4.Cidr.parse("10.0.0.0/16").hostCount()).isEqualTo(65534);
        assertThat(c.contains(Ipv4.parse("127.0.2.200"))).isTrue();
        assertThat(c.contains(Ipv4.parse("127.0.3.1"))).isFalse();
        assertThatThrownBy(() -> Ipv4.Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4.Cidr.parse("10.0.0.0")).isInstanceOf(IllegalArgumentException.class);
    }
}
