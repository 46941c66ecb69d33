package io.duet.app.photo;

/**
 * The image formats a photo may be uploaded in, recognised by their first bytes (never by a header or a
 * file name the client chose).
 */
public enum ImageFormat {
    JPEG("jpeg", "image/jpeg"),
    PNG("png", "image/png"),
    WEBP("webp", "image/webp");

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] RIFF = {'R', 'I', 'F', 'F'};
    private static final byte[] WEBP_TAG = {'W', 'E', 'B', 'P'};

    private final String readerName;
    private final String contentType;

    ImageFormat(String readerName, String contentType) {
        this.readerName = readerName;
        this.contentType = contentType;
    }

    /** The ImageIO format name of its reader. */
    String readerName() {
        return readerName;
    }

    public String contentType() {
        return contentType;
    }

    /** The format {@code bytes} start with, or null when it is none of these. */
    public static ImageFormat sniff(byte[] bytes) {
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8 && (bytes[2] & 0xff) == 0xff) {
            return JPEG;
        }
        if (startsWith(bytes, PNG_SIGNATURE, 0)) {
            return PNG;
        }
        if (startsWith(bytes, RIFF, 0) && startsWith(bytes, WEBP_TAG, 8)) {
            return WEBP;
        }
        return null;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix, int offset) {
        if (bytes.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
