package io.duet.app.account;

import java.util.Locale;

/** Checks and normalizes what users type; each failure says what was expected. */
final class Credentials {
    static final int MAX_EMAIL_CHARS = 254;
    static final int MIN_PASSWORD_CHARS = 8;
    static final int MAX_PASSWORD_CHARS = 1024;
    static final int MAX_DISPLAY_NAME_CHARS = 64;
    static final int MAX_DEVICE_ID_CHARS = 128;

    private Credentials() {
    }

    /** The normalized (trimmed, lower-case) email. */
    static String email(String email) {
        if (email == null) {
            throw new IllegalArgumentException("email: missing");
        }
        String normalized = email.trim().toLowerCase(Locale.ROOT);
        int at = normalized.indexOf('@');
        if (normalized.length() > MAX_EMAIL_CHARS || at <= 0 || at != normalized.lastIndexOf('@')
                || at == normalized.length() - 1 || !printable(normalized) || normalized.contains(" ")) {
            throw new IllegalArgumentException("email: expected an address like name@example.com of at most "
                    + MAX_EMAIL_CHARS + " characters");
        }
        return normalized;
    }

    static void password(String password) {
        if (password == null || password.length() < MIN_PASSWORD_CHARS || password.length() > MAX_PASSWORD_CHARS) {
            throw new IllegalArgumentException("password: expected " + MIN_PASSWORD_CHARS + " to "
                    + MAX_PASSWORD_CHARS + " characters");
        }
    }

    static String displayName(String name) {
        String trimmed = name == null ? "" : name.trim();
        if (trimmed.isEmpty() || trimmed.length() > MAX_DISPLAY_NAME_CHARS || !printable(trimmed)) {
            throw new IllegalArgumentException("displayName: expected 1 to " + MAX_DISPLAY_NAME_CHARS
                    + " printable characters");
        }
        return trimmed;
    }

    static void deviceId(String deviceId) {
        if (deviceId == null || deviceId.isEmpty() || deviceId.length() > MAX_DEVICE_ID_CHARS || !printable(deviceId)) {
            throw new IllegalArgumentException("deviceId: expected 1 to " + MAX_DEVICE_ID_CHARS
                    + " printable characters");
        }
    }

    private static boolean printable(String s) {
        return s.codePoints().noneMatch(Character::isISOControl);
    }
}
