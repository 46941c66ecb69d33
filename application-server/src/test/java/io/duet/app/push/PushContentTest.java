package io.duet.app.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageKind;
import org.junit.jupiter.api.Test;

class PushContentTest {
    private static Message text(String text) {
        return new Message().setSeq(42).setSenderId(1).setKind(MessageKind.TEXT).setText(text);
    }

    @Test
    void byDefaultAPushCarriesNoTextOfTheMessage() {
        PushContent content = PushContent.of(PushSettings.builder().build(), 9, text("meet me at the secret place"));

        assertThat(content).isEqualTo(new PushContent("Duet", "New message", 9, 42));
        assertThat(FcmPushSender.body("tok", content)).doesNotContain("secret");
    }

    @Test
    void theTitleAndBodyAreSettings() {
        PushContent content = PushContent.of(PushSettings.builder().title("Us").body("Something new").build(), 9,
                text("hello"));

        assertThat(content.title()).isEqualTo("Us");
        assertThat(content.body()).isEqualTo("Something new");
    }

    @Test
    void previewsShowTheStartOfTheText() {
        PushSettings previews = PushSettings.builder().previews(true).previewChars(10).build();

        assertThat(PushContent.of(previews, 9, text("  see you soon  ")).body()).isEqualTo("see you soon".substring(0, 9) + "…");
        assertThat(PushContent.of(previews, 9, text("short")).body()).isEqualTo("short");
        assertThat(PushContent.of(previews, 9, text("   ")).body()).as("nothing to show").isEqualTo("New message");
        assertThat(PushContent.of(previews, 9, new Message().setSeq(1).setKind(MessageKind.PHOTO)).body())
                .isEqualTo("New message");
    }

    @Test
    void aPushAboutSeveralMessagesSaysHowManyAndShowsNoTextWithoutPreviews() {
        PushSettings settings = PushSettings.builder().build();
        PushContent latest = PushContent.of(settings, 9, text("meet me at the secret place"));

        assertThat(PushContent.summary(settings, latest, 1)).isSameAs(latest);
        assertThat(PushContent.summary(settings, latest, 3)).isEqualTo(new PushContent("Duet", "3 new messages", 9, 42));
        assertThat(PushContent.summary(PushSettings.builder().summaryBody("{count} more from your love").build(), latest,
                2).body()).isEqualTo("2 more from your love");
    }

    @Test
    void withPreviewsAPushAboutSeveralMessagesShowsTheNewest() {
        PushSettings previews = PushSettings.builder().previews(true).build();

        assertThat(PushContent.summary(previews, PushContent.of(previews, 9, text("see you soon")), 3).body())
                .isEqualTo("3 new messages: see you soon");
        assertThat(PushContent.summary(previews, PushContent.of(previews, 9, new Message().setSeq(1)
                .setKind(MessageKind.PHOTO)), 3).body()).as("nothing to show").isEqualTo("3 new messages");
    }

    @Test
    void truncationNeverSplitsACharacter() {
        String hearts = "\uD83D\uDC95".repeat(20);

        String cut = PushContent.truncate(hearts, 5);

        assertThat(cut.codePointCount(0, cut.length())).isEqualTo(5);
        assertThat(cut).isEqualTo("\uD83D\uDC95".repeat(4) + "…");
    }
}
