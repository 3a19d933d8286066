package org.cam.management.support;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldif.LDIFReader;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * UnboundID in-memory directory loaded with the same demo directory as the infrastructure's slapd
 * (scripts/infra/demo.ldif), on a free loopback port. Tests may change it through {@link #server()}.
 */
public class InMemoryLdap implements QuarkusTestResourceLifecycleManager {
    private static InMemoryDirectoryServer server;

    public static InMemoryDirectoryServer server() {
        return server;
    }

    /** The demo LDIF with clear-text passwords (the in-memory server compares userPassword as stored). */
    public static String demoLdif() throws Exception {
        Path ldif = Path.of("..", "scripts", "infra", "demo.ldif");
        return Files.readString(ldif).replaceAll("(?m)^userPassword: .*$", "userPassword: camdemo");
    }

    public static InMemoryDirectoryServer startServer() throws Exception {
        InMemoryDirectoryServerConfig cfg = new InMemoryDirectoryServerConfig("dc=cam,dc=test");
        cfg.addAdditionalBindCredentials("cn=admin,dc=cam,dc=test", "camadmin");
        cfg.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap",
                InetAddress.getLoopbackAddress(), 0, null));
        InMemoryDirectoryServer s = new InMemoryDirectoryServer(cfg);
        s.importFromLDIF(true, new LDIFReader(new ByteArrayInputStream(demoLdif().getBytes(StandardCharsets.UTF_8))));
        s.startListening();
        return s;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = startServer();
        } catch (Exception e) {
            throw new IllegalStateException("in-memory LDAP failed to start", e);
        }
        return Map.of("cam.management.ldap.url", "ldap://127.0.0.1:" + server.getListenPort(),
                "cam.management.ldap.bind-dn", "cn=admin,dc=cam,dc=test",
                "cam.management.ldap.bind-password", "camadmin",
                "cam.management.ldap.user-base", "ou=people,dc=cam,dc=test",
                "cam.management.ldap.group-base", "ou=groups,dc=cam,dc=test",
                "cam.management.ldap.cache-ttl", "PT2S");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutDown(true);
        }
    }
}
