package org.cam.management;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.cam.management.tls.SelfSignedKeyStore;

import java.nio.file.Path;

/**
 * Makes sure HTTPS can start: when the configured PKCS#12 key store (CAM_MANAGEMENT_TLS_KEYSTORE, default
 * .cam/management-api/tls.p12) does not exist, a self-signed one is generated there before Quarkus starts (the
 * TLS registry reads it during boot, before any application bean runs). Production mounts its own key store, so
 * nothing is generated; CAM_MANAGEMENT_TLS_GENERATE=false makes a missing one a startup error instead.
 */
@QuarkusMain
public class Main {
    public static void main(String... args) {
        String path = setting("CAM_MANAGEMENT_TLS_KEYSTORE", ".cam/management-api/tls.p12");
        String password = setting("CAM_MANAGEMENT_TLS_KEYSTORE_PASSWORD", "changeit");
        if (!"false".equalsIgnoreCase(setting("CAM_MANAGEMENT_TLS_GENERATE", "true"))) {
            SelfSignedKeyStore.ensure(Path.of(path), password.toCharArray());
        }
        Quarkus.run(args);
    }

    private static String setting(String env, String def) {
        String sys = System.getProperty(env);
        if (sys != null && !sys.isBlank()) {
            return sys;
        }
        String v = System.getenv(env);
        return v == null || v.isBlank() ? def : v;
    }
}
