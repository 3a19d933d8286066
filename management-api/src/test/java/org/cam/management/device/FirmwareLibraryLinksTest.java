package org.cam.management.device;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.cam.management.common.ApiException;
import org.cam.management.device.service.FirmwareLibrary;
import org.cam.management.support.Api;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Whoever can write the firmware volume must not make the manager read, hash and send another file: symbolic links in
 * the library are not images, whatever they point at.
 */
@QuarkusTest
class FirmwareLibraryLinksTest {

    @Inject
    FirmwareLibrary library;

    @Test
    void symbolicLinksAreNotImages() throws Exception {
        Path dir = Path.of(ConfigProvider.getConfig().getValue("cam.management.devices.firmware-directory",
                String.class));
        Files.createDirectories(dir);
        Path outside = Files.createTempFile("cam-not-firmware", ".bin");
        Files.writeString(outside, "a secret the manager can read but must not send anywhere");
        String name = Api.unique("linked") + ".bin";
        Path link = Files.createSymbolicLink(dir.resolve(name), outside);
        try {
            assertThat(Api.admin().get("/api/v1/firmware").then().statusCode(200).extract().jsonPath()
                    .getList("name", String.class)).doesNotContain(name);
            assertThatThrownBy(() -> library.get(name)).isInstanceOf(ApiException.class)
                    .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(404));
        } finally {
            Files.deleteIfExists(link);
            Files.deleteIfExists(outside);
        }
    }
}
