package io.duet.app.photo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Which upload objects a sweep deletes: those under {@code incoming/<couple>/} that were PUT longer ago than
 * {@code photos.abandoned-upload-after} (their upload was never finished), of couples the sweeping server
 * owns, so that one server sweeps each couple. Pure: {@link Photos} lists and deletes.
 */
final class AbandonedUploads {
    static final String PREFIX = "incoming/";

    private AbandonedUploads() {
    }

    /** The couple an upload key names ({@code incoming/<couple>/<upload id>}), or 0 for another key. */
    static long coupleOf(String key) {
        if (!key.startsWith(PREFIX)) {
            return 0;
        }
        int slash = key.indexOf('/', PREFIX.length());
        if (slash < 0) {
            return 0;
        }
        try {
            return Long.parseLong(key.substring(PREFIX.length(), slash));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The keys among {@code listed} to delete now. */
    static List<String> expired(List<PhotoObjects.Listed> listed, Instant now, Duration after, LongPredicate owns) {
        Instant cutoff = now.minus(after);
        List<String> keys = new ArrayList<>();
        for (PhotoObjects.Listed object : listed) {
            long coupleId = coupleOf(object.key());
            if (coupleId != 0 && object.lastModified() != null && object.lastModified().isBefore(cutoff)
                    && owns.test(coupleId)) {
                keys.add(object.key());
            }
        }
        return keys;
    }
}
