package io.duet.deploy.local;

import io.duet.security.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The files of a local cluster's data folder that are not any one node's. */
final class DataFiles {
    private static final Logger LOG = LoggerFactory.getLogger(DataFiles.class);

    private DataFiles() {
    }

    /**
     * The cluster's token secret: made once, at random, and kept in {@code file}, readable by its owner
     * only (a file left by an older version is made so).
     */
    static String loadOrCreateSecret(Path file) throws IOException {
        if (Files.exists(file)) {
            if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
                Files.setPosixFilePermissions(file, SecretFiles.OWNER_ONLY);
            }
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String secret = "local-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        SecretFiles.writePrivate(file, secret + "\n");
        return secret;
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warn("cannot delete {}", dir, e);
        }
    }
}
