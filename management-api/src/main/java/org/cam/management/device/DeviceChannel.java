package org.cam.management.device;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.util.Objects;

/** One channel of a managed device: its target, its session credential (encrypted) and what the last poll saw. */
@Entity
@Table(name = "device_channel")
@IdClass(DeviceChannel.Key.class)
public class DeviceChannel extends PanacheEntityBase {
    @Id
    @Column(name = "device_id")
    public Long deviceId;

    @Id
    public Integer channel;

    @Column(name = "target_id")
    public Long targetId;

    @Column(name = "credential_enc")
    public String credentialEnc;

    public int sessions;

    public String power;

    /** What the channel credential is bound to (AES-GCM associated data): this device's channel, this column. */
    public String credentialContext() {
        return "channel-credential:" + deviceId + ":" + channel;
    }

    public static class Key implements Serializable {
        public Long deviceId;
        public Integer channel;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(deviceId, k.deviceId) && Objects.equals(channel, k.channel);
        }

        @Override
        public int hashCode() {
            return Objects.hash(deviceId, channel);
        }
    }
}
