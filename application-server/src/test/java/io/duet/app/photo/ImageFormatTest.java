package io.duet.app.photo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ImageFormatTest {
    @Test
    void formatsAreToldByTheirFirstBytes() throws Exception {
        assertThat(ImageFormat.sniff(TestImages.encode(TestImages.halves(4, 4), "jpeg"))).isEqualTo(ImageFormat.JPEG);
        assertThat(ImageFormat.sniff(TestImages.encode(TestImages.halves(4, 4), "png"))).isEqualTo(ImageFormat.PNG);
        assertThat(ImageFormat.sniff(TestImages.WEBP_LOSSY)).isEqualTo(ImageFormat.WEBP);
        assertThat(ImageFormat.sniff(TestImages.WEBP_LOSSLESS)).isEqualTo(ImageFormat.WEBP);
    }

    @Test
    void anythingElseIsNoImageWhateverItsName() throws Exception {
        assertThat(ImageFormat.sniff("<html>not a photo</html>".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(ImageFormat.sniff(TestImages.encode(TestImages.halves(4, 4), "gif"))).isNull();
        assertThat(ImageFormat.sniff(TestImages.encode(TestImages.halves(4, 4), "bmp"))).isNull();
        assertThat(ImageFormat.sniff("RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.US_ASCII))).isNull();
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0xff, (byte) 0xd8})).isNull();
        assertThat(ImageFormat.sniff(new byte[0])).isNull();
    }
}
