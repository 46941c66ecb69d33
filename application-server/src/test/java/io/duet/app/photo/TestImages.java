package io.duet.app.photo;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Images made in memory for the photo tests: plain ones, with EXIF (orientation, GPS, time), and bombs. */
final class TestImages {
    /** A 1 x 1 lossy WebP (VP8), as browsers' feature tests use. */
    static final byte[] WEBP_LOSSY = Base64.getDecoder().decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA");
    /** A 1 x 1 lossless WebP (VP8L). */
    static final byte[] WEBP_LOSSLESS = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
    static final String TAKEN_AT = "2024:05:01 12:34:56";

    private TestImages() {
    }

    /** {@code width} x {@code height}: the left half red, the right half blue. */
    static BufferedImage halves(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, width / 2, height);
        g.setColor(Color.BLUE);
        g.fillRect(width / 2, 0, width - width / 2, height);
        g.dispose();
        return image;
    }

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IllegalStateException("no writer for " + format);
        }
        return out.toByteArray();
    }

    /**
     * {@code jpeg} with an EXIF segment (APP1) right after its start: IFD0 with the orientation, the EXIF
     * IFD with the time taken ({@link #TAKEN_AT}), and a GPS IFD (latitude reference "N").
     */
    static byte[] withExif(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(106); // big-endian, offsets from the TIFF header
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        // IFD0 at 8: three entries, then no next IFD; ends at 50.
        tiff.putShort((short) 3);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putShort((short) 0x8769).putShort((short) 4).putInt(1).putInt(50);
        tiff.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(88);
        tiff.putInt(0);
        // EXIF IFD at 50: DateTimeOriginal, its 20 characters at 68.
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x9003).putShort((short) 2).putInt(20).putInt(68);
        tiff.putInt(0);
        tiff.put((TAKEN_AT + "\0").getBytes(StandardCharsets.US_ASCII));
        // GPS IFD at 88: GPSLatitudeRef "N", inline.
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0001).putShort((short) 2).putInt(2).put((byte) 'N').put((byte) 0).putShort((short) 0);
        tiff.putInt(0);
        byte[] exif = tiff.array();
        int length = 2 + 6 + exif.length;
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + length);
        out.put(jpeg, 0, 2); // SOI
        out.put((byte) 0xff).put((byte) 0xe1).putShort((short) length);
        out.put("Exif\0\0".getBytes(StandardCharsets.US_ASCII)).put(exif);
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    /** A PNG of a few dozen bytes whose header declares {@code width} x {@code height} pixels. */
    static byte[] pngDeclaring(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        byte[] idat = {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
