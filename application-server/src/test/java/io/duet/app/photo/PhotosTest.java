package io.duet.app.photo;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.rpc.Caller;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PhotosTest {
    private static final Caller ANN = Caller.of(11, 7, "phone");

    private static DuetError failure(CompletableFuture<?> future) throws Exception {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(DuetError.class);
            return (DuetError) e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void anUploadOverTheSizeLimitIsRefusedWithTheLimit() throws Exception {
        try (Photos photos = new Photos(PhotoSettings.builder().maxBytes(1000).build(), null, null, Clock.systemUTC())) {
            DuetError error = failure(photos.createUpload(ANN, 1001));
            assertThat(error.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(error.getMessage()).contains("1001").contains("at most 1000 bytes");
            assertThat(failure(photos.createUpload(ANN, 0)).getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        }
    }

    @Test
    void withoutS3PhotoCallsAreUnavailable() throws Exception {
        try (Photos photos = new Photos(PhotoSettings.builder().build(), null, null, Clock.systemUTC())) {
            DuetError error = failure(photos.createUpload(ANN, 1000));
            assertThat(error.getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(error.getMessage()).contains("s3.bucket");
        }
    }

    @Test
    void anUploadIdThatIsNoIdIsNotFound() throws Exception {
        try (Photos photos = new Photos(PhotoSettings.builder().build(), null, null, Clock.systemUTC())) {
            assertThat(failure(photos.finishUpload(ANN, "../../other-couple", null)).getCode())
                    .isEqualTo(ErrorCode.NOT_FOUND);
        }
    }

    @Test
    void idsAre128RandomBits() {
        String id = Photos.newId();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(Photos.newId()).isNotEqualTo(id);
        assertThat(Photos.incomingKey(7, id)).isEqualTo("incoming/7/" + id);
    }
}
