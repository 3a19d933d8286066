package org.cam.ctl;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;

/**
 * The cached login: server, TLS choice and tokens. The file holds a refresh token, a credential: it is written 0600
 * (created so, never widened afterwards) and replaced atomically so a crash never leaves half a file.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
final class Config {
    public String server;
    public String username;
    public String caFile;
    public boolean insecureSkipTlsVerify;
    public String accessToken;
    public Instant accessTokenExpiresAt;
    public String refreshToken;
    public Instant refreshTokenExpiresAt;

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private static final ObjectMapper YAML = new YAMLMapper()
            .registerModule(new JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Null when nobody logged in yet. */
    static Config load(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return YAML.readValue(file.toFile(), Config.class);
        } catch (IOException e) {
            throw new CliException(1, "cannot read " + file + ": " + e.getMessage());
        }
    }

    void save(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            Path tmp = posix
                    ? Files.createTempFile(dir, ".camctl", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                    : Files.createTempFile(dir, ".camctl", ".tmp");
            Files.write(tmp, YAML.writeValueAsBytes(this));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (posix) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    boolean accessTokenValid(Instant now) {
        // A minute of margin: a token that expires while a long listing pages through is refreshed first.
        return accessToken != null && accessTokenExpiresAt != null && now.plusSeconds(60).isBefore(accessTokenExpiresAt);
    }

    boolean refreshTokenValid(Instant now) {
        return refreshToken != null && refreshTokenExpiresAt != null && now.isBefore(refreshTokenExpiresAt);
    }
}
