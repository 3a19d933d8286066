package org.cam.management.device;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.cam.management.common.SecretBox;
import org.cam.management.device.service.DeviceService;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Device secrets are bound to their device (AES-GCM associated data): a ciphertext copied into another device's row
 * does not decrypt there, secrets stored before the binding are re-encrypted bound, and an unbound one is refused.
 */
@QuarkusTest
class SecretBindingTest {

    @Inject
    SecretBox secrets;

    @Inject
    DeviceService devices;

    static Device discovered(String mac, String address) {
        Map<String, Object> n = new HashMap<>();
        n.put("deviceId", mac);
        n.put("version", DeviceEnrolmentTest.VERSION.incrementAndGet());
        n.put("serial", "SN-" + mac);
        n.put("model", "KVM");
        n.put("firmwareVersion", "1.0.0");
        n.put("address", address);
        n.put("sourceAddress", address);
        n.put("httpsPort", 29443);
        n.put("kvmPortFirst", 29900);
        n.put("kvmPortLast", 29900);
        n.put("channelCount", 1);
        n.put("bootCounter", 1);
        n.put("certificateFingerprint", "0f".repeat(31) + mac.substring(mac.length() - 2));
        n.put("heardVia", "SCAN_REPLY");
        n.put("firstSeen", Instant.now().toString());
        n.put("lastSeen", Instant.now().toString());
        given().auth().oauth2(DeviceEnrolmentTest.DISCOVERY).contentType("application/json").body(n)
                .post("/api/v1/internal/discoveries").then().statusCode(200);
        return QuarkusTransaction.requiringNew().call(() -> Device.<Device>find("mac", mac).firstResult());
    }

    @Test
    void aSecretDecryptsOnlyInItsOwnRow() {
        Device a = discovered("02:87:00:00:01:01", "127.0.87.41");
        Device b = discovered("02:87:00:00:01:02", "127.0.87.42");
        // stored before secrets were bound to their rows
        String legacy = secrets.encrypt("device-secret-of-a");
        QuarkusTransaction.requiringNew().run(() -> Device.update("secretEnc = ?1 where id = ?2", legacy, a.id));
        assertThat(devices.bindSecretsToTheirRows()).isGreaterThanOrEqualTo(1);
        String bound = QuarkusTransaction.requiringNew().call(() -> Device.<Device>findById(a.id).secretEnc);
        assertThat(bound).startsWith("v2:");
        assertThat(secrets.decrypt(bound, a.secretContext())).isEqualTo("device-secret-of-a");
        // copied into b's row by someone who can write the database but has no key: useless there
        assertThatThrownBy(() -> secrets.decrypt(bound, b.secretContext())).isInstanceOf(IllegalStateException.class);
        // and the old unbound form is not accepted any more, in any row
        assertThatThrownBy(() -> secrets.decrypt(legacy, a.secretContext())).isInstanceOf(IllegalStateException.class);
    }
}
