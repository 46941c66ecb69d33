package io.duet.app.push;

import io.duet.protocol.api.Message;

/**
 * What a push shows, and which message it is about (so that the app can open the chat there). Without
 * previews the body is the configured {@code push.body} ("New message"), never the message's text; with
 * {@code push.previews} it is the start of the text (a photo's caption), at most {@code push.preview-chars}
 * characters, or that body when the message has no text.
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
