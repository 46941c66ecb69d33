package io.duet.security;

import io.duet.settings.SettingsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** Files that hold secrets: they must exist and be readable by their owner only. */
public final class SecretFiles {
    /** What a secret file's mode may grant: read and write by its owner. */
    public static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private SecretFiles() {
    }

    /**
     * Refuses {@code file} (named by setting {@code key}) if it is missing or its group or others may
     * read, write or run it. On a file system without POSIX permissions nothing is checked.
     */
    public static void checkPrivate(String key, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SettingsException(key + ": " + file + " is not a readable file");
        }
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) == null) {
            return;
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (IOException e) {
            throw new SettingsException(key + ": cannot read the permissions of " + file + ": " + e.getMessage(), e);
        }
        if (!OWNER_ONLY.containsAll(permissions)) {
            throw new SettingsException(key + ": " + file + " has mode " + PosixFilePermissions.toString(permissions)
                    + ", so other users can read it (expected: rw------- or r--------; run chmod 600 " + file + ")");
        }
    }

    /** The trimmed text of a private file. */
    public static String readPrivate(String key, Path file) {
        checkPrivate(key, file);
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new SettingsException(key + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code text} to a new file readable by its owner only (an existing file is replaced). */
    public static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        if (Files.getFileStore(file.toAbsolutePath().getParent()).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
