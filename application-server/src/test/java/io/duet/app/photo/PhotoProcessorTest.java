package io.duet.app.photo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.GpsDirectory;
import io.duet.protocol.api.PhotoVariant;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PhotoProcessorTest {
    private final PhotoProcessor processor = new PhotoProcessor(50_000_000);

    private static BufferedImage decode(PhotoProcessor.Encoded encoded) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(encoded.bytes));
    }

    private static boolean reddish(int rgb) {
        Color c = new Color(rgb);
        return c.getRed() > 180 && c.getBlue() < 80;
    }

    private static boolean bluish(int rgb) {
        Color c = new Color(rgb);
        return c.getBlue() > 180 && c.getRed() < 80;
    }

    @Test
    void variantsFitTheirEdgesKeepTheAspectRatioAndAreJpegForOpaqueImages() throws Exception {
        PhotoProcessor.Result result = processor.process(TestImages.encode(TestImages.halves(2000, 1000), "jpeg"));

        assertThat(result.format).isEqualTo(ImageFormat.JPEG);
        assertThat(result.variants).containsOnlyKeys(PhotoVariant.FULL, PhotoVariant.SCREEN, PhotoVariant.THUMBNAIL);
        PhotoProcessor.Encoded full = result.variants.get(PhotoVariant.FULL);
        assertThat(full.width).isEqualTo(2000);
        assertThat(full.height).isEqualTo(1000);
        assertThat(result.variants.get(PhotoVariant.SCREEN).width).isEqualTo(1600);
        assertThat(result.variants.get(PhotoVariant.SCREEN).height).isEqualTo(800);
        PhotoProcessor.Encoded thumbnail = result.variants.get(PhotoVariant.THUMBNAIL);
        assertThat(thumbnail.width).isEqualTo(320);
        assertThat(thumbnail.height).isEqualTo(160);
        for (PhotoProcessor.Encoded variant : result.variants.values()) {
            assertThat(variant.contentType).isEqualTo("image/jpeg");
            assertThat(ImageFormat.sniff(variant.bytes)).isEqualTo(ImageFormat.JPEG);
            BufferedImage image = decode(variant);
            assertThat(image.getWidth()).isEqualTo(variant.width);
            assertThat(image.getHeight()).isEqualTo(variant.height);
        }
        assertThat(result.takenAtMillis).isNull();
    }

    @Test
    void exifOrientationIsAppliedToThePixels() throws Exception {
        // Orientation 6: the camera was turned; the stored pixels must be turned 90 degrees clockwise to view.
        byte[] upload = TestImages.withExif(TestImages.encode(TestImages.halves(400, 200), "jpeg"), 6);
        PhotoProcessor.Result result = processor.process(upload);

        PhotoProcessor.Encoded full = result.variants.get(PhotoVariant.FULL);
        assertThat(full.width).isEqualTo(200);
        assertThat(full.height).isEqualTo(400);
        BufferedImage image = decode(full);
        // The left (red) half is now on top, the right (blue) half at the bottom.
        assertThat(reddish(image.getRGB(100, 50))).isTrue();
        assertThat(bluish(image.getRGB(100, 350))).isTrue();
        assertThat(result.variants.get(PhotoVariant.THUMBNAIL).height).isEqualTo(320);
    }

    @Test
    void everyOrientationGivesTheExpectedShape() throws Exception {
        BufferedImage image = TestImages.halves(40, 20);
        for (int orientation = 1; orientation <= 8; orientation++) {
            BufferedImage oriented = PhotoProcessor.orient(image, orientation);
            boolean turned = orientation >= 5;
            assertThat(oriented.getWidth()).as("orientation %d", orientation).isEqualTo(turned ? 20 : 40);
            assertThat(oriented.getHeight()).as("orientation %d", orientation).isEqualTo(turned ? 40 : 20);
        }
        // 3 turns it upside down: red on the right; 8 turns it counter-clockwise: red at the bottom.
        assertThat(reddish(PhotoProcessor.orient(image, 3).getRGB(35, 10))).isTrue();
        assertThat(reddish(PhotoProcessor.orient(image, 8).getRGB(10, 35))).isTrue();
        assertThat(reddish(PhotoProcessor.orient(image, 2).getRGB(35, 10))).isTrue();
        assertThat(reddish(PhotoProcessor.orient(image, 5).getRGB(10, 5))).isTrue();
        assertThat(reddish(PhotoProcessor.orient(image, 7).getRGB(10, 35))).isTrue();
    }

    @Test
    void locationAndAllOtherMetadataAreStrippedButTheTimeTakenIsKept() throws Exception {
        byte[] upload = TestImages.withExif(TestImages.encode(TestImages.halves(300, 200), "jpeg"), 1);
        Metadata before = ImageMetadataReader.readMetadata(new ByteArrayInputStream(upload));
        assertThat(before.getFirstDirectoryOfType(GpsDirectory.class)).isNotNull();

        PhotoProcessor.Result result = processor.process(upload);

        assertThat(result.takenAtMillis).isEqualTo(Instant.parse("2024-05-01T12:34:56Z").toEpochMilli());
        for (PhotoProcessor.Encoded variant : result.variants.values()) {
            Metadata after = ImageMetadataReader.readMetadata(new ByteArrayInputStream(variant.bytes));
            assertThat(after.getFirstDirectoryOfType(GpsDirectory.class)).isNull();
            assertThat(after.getFirstDirectoryOfType(ExifIFD0Directory.class)).isNull();
            assertThat(new String(variant.bytes, StandardCharsets.ISO_8859_1)).doesNotContain("Exif");
        }
    }

    @Test
    void pngWithTransparencyStaysPng() throws Exception {
        BufferedImage image = new BufferedImage(500, 400, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x80ff0000);
        PhotoProcessor.Result result = processor.process(TestImages.encode(image, "png"));

        assertThat(result.format).isEqualTo(ImageFormat.PNG);
        assertThat(result.variants.get(PhotoVariant.FULL).contentType).isEqualTo("image/png");
        assertThat(decode(result.variants.get(PhotoVariant.FULL)).getColorModel().hasAlpha()).isTrue();
        assertThat(result.variants.get(PhotoVariant.THUMBNAIL).width).isEqualTo(320);
    }

    @Test
    void webpIsReadThroughTwelveMonkeys() throws Exception {
        for (byte[] webp : new byte[][] {TestImages.WEBP_LOSSY, TestImages.WEBP_LOSSLESS}) {
            PhotoProcessor.Result result = processor.process(webp);
            assertThat(result.format).isEqualTo(ImageFormat.WEBP);
            assertThat(result.variants.get(PhotoVariant.FULL).width).isEqualTo(1);
            assertThat(decode(result.variants.get(PhotoVariant.FULL))).isNotNull();
        }
    }

    @Test
    void largeImagesAreDecodedSubsampledAndTheFullVariantIsCapped() throws Exception {
        PhotoProcessor.Result result = processor.process(TestImages.encode(TestImages.halves(9000, 300), "png"));
        assertThat(result.variants.get(PhotoVariant.FULL).width).isLessThanOrEqualTo(PhotoProcessor.FULL_EDGE);
        assertThat(result.variants.get(PhotoVariant.SCREEN).width).isEqualTo(PhotoProcessor.SCREEN_EDGE);
    }

    @Test
    void bytesThatAreNoImageAreRefusedWithTheReason() {
        assertThatThrownBy(() -> processor.process("GIF89a, or a PDF, or anything".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(PhotoRejectedException.class).hasMessageContaining("not a JPEG, PNG or WebP image");
    }

    @Test
    void anImageDeclaringHugeDimensionsIsRefusedBeforeDecoding() {
        byte[] bomb = TestImages.pngDeclaring(100_000, 100_000);
        assertThat(bomb.length).isLessThan(100);
        assertThatThrownBy(() -> processor.process(bomb)).isInstanceOf(PhotoRejectedException.class)
                .hasMessageContaining("100000 x 100000 pixels").hasMessageContaining("at most 50000000 pixels");
    }

    @Test
    void aTruncatedImageIsRefused() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.halves(200, 200), "png");
        byte[] truncated = java.util.Arrays.copyOf(jpeg, 60);
        assertThatThrownBy(() -> processor.process(truncated)).isInstanceOf(PhotoRejectedException.class)
                .hasMessageContaining("cannot decode the PNG image");
    }
}
