package io.duet.app.pairing;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Invite codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), about 39 bits,
 * shown as {@code ABCD-EFGH}. Typed codes are normalized: case, spaces and dashes do not matter.
 */
final class InviteCodes {
    static final String ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
    static final int LENGTH = 8;

    private InviteCodes() {
    }

    static String generate(SecureRandom random) {
        StringBuilder code = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    static String display(String code) {
        return code.substring(0, LENGTH / 2) + '-' + code.substring(LENGTH / 2);
    }

    /** The stored form of a typed code, or null if it cannot be a code. */
    static String normalize(String typed) {
        if (typed == null || typed.length() > 32) {
            return null;
        }
        String code = typed.replace("-", "").replace(" ", "").toUpperCase(Locale.ROOT);
        if (code.length() != LENGTH) {
            return null;
        }
        for (int i = 0; i < code.length(); i++) {
            if (ALPHABET.indexOf(code.charAt(i)) < 0) {
                return null;
            }
        }
        return code;
    }
}
