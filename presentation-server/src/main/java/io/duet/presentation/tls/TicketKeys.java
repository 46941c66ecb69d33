package io.duet.presentation.tls;

import io.duet.security.SecretFiles;
import io.duet.settings.SettingsException;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.nio.file.Path;

/**
 * Session-ticket keys: what encrypts the session state a server hands its client as a ticket, and
 * decrypts it when the client comes back. Every presentation server behind one endpoint must hold the
 * same keys, or a client reconnecting to another server (after a deploy, a crash, a load balancer's
 * choice) pays a full handshake.
 *
 * <p>The file ({@code client.tls.ticket-keys}, mode 0600) holds one key per line, each the base64 of
 * {@value #KEY_BYTES} random bytes ({@code openssl rand -base64 48}); blank lines and lines starting with
 * {@code #} are skipped. The first key encrypts new tickets; every key decrypts. To rotate, put a new
 * key on top on every server, and drop the last one once the tickets it made have expired (a ticket lives
 * as long as the TLS session: 300 s by default in BoringSSL, at most 7 days in TLS 1.3).
 */
public final class TicketKeys {
    /** 16 bytes of name, 16 of HMAC key, 16 of AES key. */
    public static final int KEY_BYTES = OpenSslSessionTicketKey.TICKET_KEY_SIZE;
    private static final int PART = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private TicketKeys() {
    }

    /** The keys in {@code file}, current first; refused if the file is not private, empty or malformed. */
    public static List<OpenSslSessionTicketKey> read(Path file) {
        String text = SecretFiles.readPrivate(ClientTlsSettings.TICKET_KEYS, file);
        List<OpenSslSessionTicketKey> keys = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(line);
            } catch (IllegalArgumentException e) {
                throw new SettingsException(ClientTlsSettings.TICKET_KEYS + ": " + file + " line " + (i + 1)
                        + " is not base64 (expected: the output of openssl rand -base64 48)");
            }
            if (bytes.length != KEY_BYTES) {
                throw new SettingsException(ClientTlsSettings.TICKET_KEYS + ": " + file + " line " + (i + 1)
                        + " holds " + bytes.length + " bytes (expected: " + KEY_BYTES + ", openssl rand -base64 48)");
            }
            keys.add(key(bytes));
        }
        if (keys.isEmpty()) {
            throw new SettingsException(ClientTlsSettings.TICKET_KEYS + ": " + file
                    + " holds no key (expected: lines of openssl rand -base64 48)");
        }
        return keys;
    }

    /** A random key of this process's own, for a server given no file. */
    public static OpenSslSessionTicketKey random() {
        byte[] bytes = new byte[KEY_BYTES];
        RANDOM.nextBytes(bytes);
        return key(bytes);
    }

    /** A line for a key file: a new random key in base64. */
    public static String newLine() {
        byte[] bytes = new byte[KEY_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static OpenSslSessionTicketKey key(byte[] bytes) {
        return new OpenSslSessionTicketKey(Arrays.copyOfRange(bytes, 0, PART),
                Arrays.copyOfRange(bytes, PART, 2 * PART), Arrays.copyOfRange(bytes, 2 * PART, 3 * PART));
    }
}
