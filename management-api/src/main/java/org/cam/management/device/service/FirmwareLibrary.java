package org.cam.management.device.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.common.ApiException;
import org.cam.management.config.ManagementConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The firmware images operators can install: the files of one directory ({@code cam.management.devices
 * .firmware-directory}, a volume in Kubernetes). Images are streamed from disk to devices, so a 64 MiB image never
 * sits in memory or in the database, and the REST API keeps its small body limit. SHA-256 sums are cached by
 * (name, size, modification time).
 */
@ApplicationScoped
public class FirmwareLibrary {
    /** Plain file names only: nothing outside the directory can be named. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,254}");
    static final long MAX_IMAGE = 64L * 1024 * 1024;

    public record Image(String name, long sizeBytes, String sha256, Instant modifiedAt) {
    }

    private record Stamp(long size, FileTime modified, String sha256) {
    }

    private final Map<String, Stamp> sums = new ConcurrentHashMap<>();

    @Inject
    ManagementConfig config;

    Path directory() {
        return Path.of(config.devices().firmwareDirectory());
    }

    public List<Image> list() {
        Path dir = directory();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Image> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(FirmwareLibrary::plainFile).sorted(Comparator.comparing(Path::getFileName))
                    .toList()) {
                String name = f.getFileName().toString();
                long size = Files.size(f);
                if (NAME.matcher(name).matches() && size > 0 && size <= MAX_IMAGE) {
                    out.add(describe(name, f));
                }
            }
        } catch (IOException e) {
            throw new ApiException(500, "Internal Server Error", "cannot read the firmware library " + dir + ": "
                    + e.getMessage(), null);
        }
        return out;
    }

    /** The image called {@code name}, or a 4xx naming the field {@code image}. */
    public Image get(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("image", "a file name of the firmware library (letters, digits, . _ + -)");
        }
        Path f = directory().resolve(name);
        try {
            if (!plainFile(f)) {
                throw new ApiException(404, "Not Found", "no firmware image " + name + " in the library", "image");
            }
            long size = Files.size(f);
            if (size == 0 || size > MAX_IMAGE) {
                throw ApiException.badRequest("image", "an image must be 1 byte to 64 MiB; " + name + " is " + size);
            }
            return describe(name, f);
        } catch (IOException e) {
            throw new ApiException(500, "Internal Server Error", "cannot read " + f + ": " + e.getMessage(), "image");
        }
    }

    public Path path(Image image) {
        return directory().resolve(image.name());
    }

    /**
     * A regular file of the library itself: not a symbolic link (whoever can write the volume must not make the
     * manager read, hash and send any file it can read) and, resolved, still directly inside the directory.
     */
    static boolean plainFile(Path f) {
        try {
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            Path real = f.toRealPath(LinkOption.NOFOLLOW_LINKS);
            return f.getParent() != null && real.getParent().equals(f.getParent().toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** Opens an image without following a link that replaced it after {@link #get} looked. */
    public static InputStream open(Path f) throws IOException {
        return Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS);
    }

    private Image describe(String name, Path f) throws IOException {
        long size = Files.size(f);
        FileTime modified = Files.getLastModifiedTime(f);
        Stamp s = sums.get(name);
        if (s == null || s.size() != size || !s.modified().equals(modified)) {
            s = new Stamp(size, modified, sha256(f));
            sums.put(name, s);
        }
        return new Image(name, size, s.sha256(), modified.toInstant());
    }

    static String sha256(Path f) throws IOException {
        try (InputStream in = open(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
