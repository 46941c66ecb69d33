package io.duet.app.push;

import io.duet.protocol.api.Message;

/**
 * What a push shows, and which message it is about (so that the app can open the chat there). Without
 * previews the body is the configured {@code push.body} ("New message"), never the message's text; with
 * {@code push.previews} it is the start of the text (a photo's caption), at most {@code push.preview-chars}
 * characters, or that body when the message has no text. A push about several messages at once (the
 * ones a burst held back) says how many ({@link #summary}).
 */
public record PushContent(String title, String body, long coupleId, long seq) {
    static final String ELLIPSIS = "…";

    public static PushContent of(PushSettings settings, long coupleId, Message message) {
        String body = settings.body;
        if (settings.previews && message.isSetText() && !message.getText().isBlank()) {
            body = truncate(message.getText().strip(), settings.previewChars);
        }
        return new PushContent(settings.title, body, coupleId, message.getSeq());
    }

    /**
     * The push for {@code messages} messages, the newest of which made {@code latest}: {@code latest} itself
     * for one; for more, {@code push.summary-body} with the count ("3 new messages"), followed by the newest
     * one's preview when previews are on and it has one. About the newest message (its sequence number).
     */
    public static PushContent summary(PushSettings settings, PushContent latest, int messages) {
        if (messages <= 1) {
            return latest;
        }
        String body = settings.summaryBody.replace(PushSettings.COUNT, Integer.toString(messages));
        if (settings.previews && !latest.body().equals(settings.body)) {
            body = body + ": " + latest.body();
        }
        return new PushContent(latest.title(), body, latest.coupleId(), latest.seq());
    }

    /** At most {@code chars} characters (code points, never half a pair), the last one an ellipsis if cut. */
    static String truncate(String text, int chars) {
        if (text.codePointCount(0, text.length()) <= chars) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, chars - 1)) + ELLIPSIS;
    }

    /** The collapse key: a newer push about the couple replaces an older one still undelivered. */
    String collapseKey() {
        return "duet-" + coupleId;
    }
}
