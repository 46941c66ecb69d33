package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The couple tier's limits are read from the server's settings under the keys its README documents. */
class CoupleSettingsFromFileTest {
    @Test
    void readsEveryKeyAndDefaultsTheRest() {
        Settings settings = Settings.of(Map.of(
                "couples.recent-messages", "64",
                "couples.dedup-ids", "128",
                "couples.max-batch", "32",
                "couples.typing-timeout", "5s",
                "couples.catch-up.page-messages", "100",
                "couples.catch-up.read-wait", "10s",
                "couples.archive.enabled", "false",
                "couples.archive.keep-recent", "2048"));

        CoupleLimits limits = CoupleLimits.from(settings);
        CatchUpLimits catchUp = CatchUpLimits.from(settings);
        ArchiveSettings archive = ArchiveSettings.from(settings);

        assertThat(limits.recentMessages).isEqualTo(64);
        assertThat(limits.dedupIds).isEqualTo(128);
        assertThat(limits.maxBatch).isEqualTo(32);
        assertThat(limits.typingTimeout).isEqualTo(Duration.ofSeconds(5));
        assertThat(limits.maxQueued).isEqualTo(CoupleLimits.DEFAULT_MAX_QUEUED);
        assertThat(catchUp.pageMessages).isEqualTo(100);
        assertThat(catchUp.readWait).isEqualTo(Duration.ofSeconds(10));
        assertThat(catchUp.maxReads).isEqualTo(CatchUpLimits.DEFAULT_MAX_READS);
        assertThat(archive.enabled).isFalse();
        assertThat(archive.keepRecent).isEqualTo(2048);
        assertThat(archive.tick).isEqualTo(ArchiveSettings.DEFAULT_TICK);
    }
}
