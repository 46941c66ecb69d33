package io.duet.app.photo;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import io.duet.protocol.api.PhotoVariant;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Date;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TimeZone;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import net.coobird.thumbnailator.Thumbnails;

/**
 * Turns uploaded bytes into a photo's stored variants. Blocking and CPU-heavy: run it on the photo workers,
 * never on an event loop. In order:
 * <ol>
 *   <li>the format is sniffed from the first bytes (JPEG, PNG or WebP; TwelveMonkeys reads WebP);</li>
 *   <li>the dimensions are read from the image's header, before any pixel is decoded, and an image declaring
 *       more than {@code maxPixels} is refused (an image bomb: a small file declaring huge dimensions);</li>
 *   <li>the pixels are decoded, subsampled so that the long edge is at most {@link #FULL_EDGE};</li>
 *   <li>the EXIF orientation (metadata-extractor) is applied to the pixels, and the EXIF time taken read;</li>
 *   <li>each variant is resized (Thumbnailator) and encoded anew from the pixels: JPEG, or PNG when the image
 *       has transparency. Nothing of the upload's metadata is written: no EXIF, so no location.</li>
 * </ol>
 */
public final class PhotoProcessor {
    /** The long edge of the FULL variant, at most. */
    public static final int FULL_EDGE = 4096;
    public static final int SCREEN_EDGE = 1600;
    public static final int THUMBNAIL_EDGE = 320;
    private static final float JPEG_QUALITY = 0.88f;

    static {
        ImageIO.setUseCache(false); // decode in memory, never through temporary files
        ImageIO.scanForPlugins();
    }

    private final long maxPixels;

    public PhotoProcessor(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels: " + maxPixels + " (expected: >= 1)");
        }
        this.maxPixels = maxPixels;
    }

    /** One encoded variant. */
    public static final class Encoded {
        public final byte[] bytes;
        public final String contentType;
        public final int width;
        public final int height;

        Encoded(byte[] bytes, String contentType, int width, int height) {
            this.bytes = bytes;
            this.contentType = contentType;
            this.width = width;
            this.height = height;
        }
    }

    /** What an upload came to. */
    public static final class Result {
        public final ImageFormat format;
        /** Milliseconds since the epoch, from EXIF; null when absent. */
        public final Long takenAtMillis;
        public final Map<PhotoVariant, Encoded> variants;

        Result(ImageFormat format, Long takenAtMillis, Map<PhotoVariant, Encoded> variants) {
            this.format = format;
            this.takenAtMillis = takenAtMillis;
            this.variants = variants;
        }
    }

    public Result process(byte[] bytes) throws PhotoRejectedException {
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == null) {
            throw new PhotoRejectedException("not a JPEG, PNG or WebP image (judged by its first bytes)");
        }
        BufferedImage image = decode(bytes, format);
        Exif exif = Exif.read(bytes);
        image = orient(image, exif.orientation);
        boolean alpha = image.getColorModel().hasAlpha();
        Map<PhotoVariant, Encoded> variants = new EnumMap<>(PhotoVariant.class);
        BufferedImage full = fit(image, FULL_EDGE);
        variants.put(PhotoVariant.FULL, encode(full, alpha));
        BufferedImage screen = fit(full, SCREEN_EDGE);
        variants.put(PhotoVariant.SCREEN, encode(screen, alpha));
        variants.put(PhotoVariant.THUMBNAIL, encode(fit(screen, THUMBNAIL_EDGE), alpha));
        return new Result(format, exif.takenAtMillis, variants);
    }

    /** Checks the declared dimensions, then decodes at most about {@link #FULL_EDGE} on the long edge. */
    private BufferedImage decode(byte[] bytes, ImageFormat format) throws PhotoRejectedException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.readerName());
        if (!readers.hasNext()) {
            throw new IllegalStateException("no ImageIO reader for " + format + " on the classpath");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if (width < 1 || height < 1 || (long) width * height > maxPixels) {
                throw new PhotoRejectedException("the image declares " + width + " x " + height + " pixels; at most "
                        + maxPixels + " pixels are taken");
            }
            ImageReadParam param = reader.getDefaultReadParam();
            int subsampling = (Math.max(width, height) + FULL_EDGE - 1) / FULL_EDGE;
            if (subsampling > 1) {
                param.setSourceSubsampling(subsampling, subsampling, 0, 0);
            }
            BufferedImage image = reader.read(0, param);
            if (image == null) {
                throw new PhotoRejectedException("the " + format + " image has no picture");
            }
            return image;
        } catch (IOException | RuntimeException e) {
            throw new PhotoRejectedException("cannot decode the " + format + " image: " + e.getMessage());
        } finally {
            reader.dispose();
        }
    }

    /** The image at most {@code edge} pixels on its long edge (itself when it is no larger). */
    static BufferedImage fit(BufferedImage image, int edge) {
        if (Math.max(image.getWidth(), image.getHeight()) <= edge) {
            return image;
        }
        try {
            return Thumbnails.of(image).size(edge, edge).keepAspectRatio(true).asBufferedImage();
        } catch (IOException e) {
            throw new IllegalStateException("resizing in memory failed", e);
        }
    }

    /**
     * The pixels as the camera meant them: EXIF orientation 1 to 8 (the TIFF convention: 6 is "rotate 90°
     * clockwise to view"); anything else leaves the image as it is.
     */
    static BufferedImage orient(BufferedImage image, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        boolean swap = orientation >= 5;
        AffineTransform t = new AffineTransform();
        switch (orientation) {
            case 2: t.translate(w, 0); t.scale(-1, 1); break;
            case 3: t.translate(w, h); t.rotate(Math.PI); break;
            case 4: t.translate(0, h); t.scale(1, -1); break;
            case 5: t.rotate(-Math.PI / 2); t.scale(-1, 1); break;
            case 6: t.translate(h, 0); t.rotate(Math.PI / 2); break;
            case 7: t.scale(-1, 1); t.translate(-h, 0); t.translate(0, w); t.rotate(3 * Math.PI / 2); break;
            default: t.translate(0, w); t.rotate(3 * Math.PI / 2); break; // 8
        }
        BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h,
                image.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(image, t, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static Encoded encode(BufferedImage image, boolean alpha) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (alpha) {
                if (!ImageIO.write(image, "png", out)) {
                    throw new IllegalStateException("no PNG writer");
                }
                return new Encoded(out.toByteArray(), ImageFormat.PNG.contentType(), image.getWidth(),
                        image.getHeight());
            }
            BufferedImage rgb = image;
            if (image.getType() != BufferedImage.TYPE_INT_RGB && image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
                rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
                Graphics2D g = rgb.createGraphics();
                try {
                    g.drawImage(image, 0, 0, null);
                } finally {
                    g.dispose();
                }
            }
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
                writer.setOutput(stream);
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(JPEG_QUALITY);
                writer.write(null, new IIOImage(rgb, null, null), param);
            } finally {
                writer.dispose();
            }
            return new Encoded(out.toByteArray(), ImageFormat.JPEG.contentType(), rgb.getWidth(), rgb.getHeight());
        } catch (IOException e) {
            throw new IllegalStateException("encoding in memory failed", e);
        }
    }

    /** What the upload's EXIF data says, as far as the variants need it. */
    static final class Exif {
        final int orientation;
        final Long takenAtMillis;

        private Exif(int orientation, Long takenAtMillis) {
            this.orientation = orientation;
            this.takenAtMillis = takenAtMillis;
        }

        /** Reads EXIF; metadata that cannot be read counts as none (the pixels decoded already). */
        static Exif read(byte[] bytes) {
            try {
                Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes), bytes.length);
                int orientation = 1;
                ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
                if (ifd0 != null && ifd0.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                    orientation = ifd0.getInt(ExifIFD0Directory.TAG_ORIENTATION);
                }
                Long taken = null;
                ExifSubIFDDirectory sub = metadata.getFirstDirectoryOfType(ExifSubIFDDirectory.class);
                if (sub != null) {
                    Date date = sub.getDateOriginal(TimeZone.getTimeZone("UTC"));
                    taken = date == null ? null : date.getTime();
                }
                return new Exif(orientation, taken);
            } catch (Exception | StackOverflowError e) {
                return new Exif(1, null);
            }
        }
    }
}
