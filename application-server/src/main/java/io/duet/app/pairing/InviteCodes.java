package io.duet.app.pairing;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Invite codes: 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), 30^12 ≈ 5.3e17
 * values (about 59 bits), shown as {@code ABCD-EFGH-JKMN}. Typed codes are normalized: case, spaces and
 * dashes do not matter.
 *
 * <p>Codes made before codes grew to 12 characters have 8 ({@code ABCD-EFGH}); they are still accepted,
 * so that those invites, and retries of their acceptance, keep working. No new one is made, and an open
 * one expires {@code pairing.invite-lifetime} (24 h) after it was made, so guessing 8-character codes
 * finds nothing to accept.
 */
final class InviteCodes {
    static final String ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
    static final int LENGTH = 12;
    /** The length of codes made before {@link #LENGTH} was 12. */
    static final int OLD_LENGTH = 8;
    private static final int GROUP = 4;

    private InviteCodes() {
    }

    static String generate(SecureRandom random) {
        StringBuilder code = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    /** {@code code} in groups of four joined by dashes. */
    static String display(String code) {
        StringBuilder shown = new StringBuilder(code.length() + code.length() / GROUP);
        for (int i = 0; i < code.length(); i += GROUP) {
            if (i > 0) {
                shown.append('-');
            }
            shown.append(code, i, Math.min(i + GROUP, code.length()));
        }
        return shown.toString();
    }

    /** The stored form of a typed code, or null if it cannot be a code. */
    static String normalize(String typed) {
        if (typed == null || typed.length() > 32) {
            return null;
        }
        String code = typed.replace("-", "").replace(" ", "").toUpperCase(Locale.ROOT);
        if (code.length() != LENGTH && code.length() != OLD_LENGTH) {
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
