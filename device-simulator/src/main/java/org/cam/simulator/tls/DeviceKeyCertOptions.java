package org.cam.simulator.tls;

import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import java.security.KeyStore;
import java.security.Provider;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.X509KeyManager;

/**
 * Hands Vert.x a ready key manager. Vert.x's own {@code KeyCertOptions.wrap} needs SLF4J on the class path,
 * and its PEM options build an encrypted PKCS#12 store per server (slow for a fleet); this does neither.
 */
public final class DeviceKeyCertOptions implements KeyCertOptions {

    private final X509KeyManager keyManager;

    public DeviceKeyCertOptions(X509KeyManager keyManager) {
        this.keyManager = keyManager;
    }

    @Override
    public KeyCertOptions copy() {
        return new DeviceKeyCertOptions(keyManager);
    }

    @Override
    public KeyManagerFactory getKeyManagerFactory(Vertx vertx) {
        KeyManager[] kms = {keyManager};
        KeyManagerFactorySpi spi = new KeyManagerFactorySpi() {
            @Override
            protected void engineInit(KeyStore ks, char[] password) {
            }

            @Override
            protected void engineInit(ManagerFactoryParameters spec) {
            }

            @Override
            protected KeyManager[] engineGetKeyManagers() {
                return kms.clone();
            }
        };
        return new KeyManagerFactory(spi, new Provider("cam-device", "1.0", "device key") {
            private static final long serialVersionUID = 1L;
        }, "cam-device") {
        };
    }
}
