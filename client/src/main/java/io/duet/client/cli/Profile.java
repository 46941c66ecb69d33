package io.duet.client.cli;

import io.duet.protocol.api.Session;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import java.util.UUID;

/**
 * A named, persistent CLI session ({@code ~/.duet/profiles/<name>.properties}, readable by its owner
 * only): the device id, the token and who it belongs to, and the last message sequence seen. Two
 * terminals with two profiles are two users.
 */
final class Profile {
    private final Path file;
    private final Properties values = new Properties();

    private Profile(Path file) {
        this.file = file;
    }

    static Profile load(Path home, String name) throws IOException {
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("profile name: " + name + " (expected: letters, digits, - and _)");
        }
        Profile profile = new Profile(home.resolve("profiles").resolve(name + ".properties"));
        if (Files.exists(profile.file)) {
            try (Reader reader = Files.newBufferedReader(profile.file, StandardCharsets.UTF_8)) {
                profile.values.load(reader);
            }
        }
        if (profile.get("device.id") == null) {
            profile.values.setProperty("device.id", UUID.randomUUID().toString());
        }
        return profile;
    }

    String get(String key) {
        return values.getProperty(key);
    }

    long getLong(String key) {
        String value = values.getProperty(key);
        return value == null ? 0 : Long.parseLong(value);
    }

    void set(String key, String value) {
        if (value == null) {
            values.remove(key);
        } else {
            values.setProperty(key, value);
        }
    }

    String deviceId() {
        return get("device.id");
    }

    String token() {
        return get("token");
    }

    /** The session's refresh token, or null (a profile saved before sessions had them). */
    String refreshToken() {
        return get("refresh.token");
    }

    /** When the access token expires; 0 if unknown. */
    long tokenExpiresAtMillis() {
        return getLong("token.expires");
    }

    boolean hasSession() {
        return token() != null;
    }

    /** Stores a session; a session for another user or couple starts the message history afresh. */
    void remember(Session session) {
        String couple = session.isSetCoupleId() ? Long.toString(session.getCoupleId()) : null;
        if (!Long.toString(session.getUserId()).equals(get("user.id")) || couple == null || !couple.equals(get("couple.id"))) {
            set("last.seq", null);
        }
        set("token", session.getToken());
        set("token.expires", Long.toString(session.getExpiresAtMillis()));
        if (session.isSetRefreshToken()) {
            // Absent from a renewal without one (after pairing): the one held stays valid.
            set("refresh.token", session.getRefreshToken());
        }
        set("user.id", Long.toString(session.getUserId()));
        set("couple.id", couple);
        set("name", session.isSetMe() ? session.getMe().getDisplayName() : get("name"));
        set("partner.id", session.isSetPartner() ? Long.toString(session.getPartner().getUserId()) : null);
        set("partner.name", session.isSetPartner() ? session.getPartner().getDisplayName() : null);
    }

    void forgetSession() {
        for (String key : new String[] {"token", "token.expires", "refresh.token", "user.id", "couple.id", "name", "partner.id", "partner.name", "last.seq"}) {
            set(key, null);
        }
    }

    void save() throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            values.store(writer, "duet CLI profile");
        }
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX filesystem; nothing more we can do.
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
