package io.duet.app.push;

import io.duet.app.limits.Rate;
import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * Pushes to offline partners ({@code push.*} settings). Off unless a platform is configured: {@code
 * push.apns.*} ({@link ApnsSettings}) and/or {@code push.fcm.*} ({@link FcmSettings}); without either, no
 * push is sent (tokens are still registered).
 *
 * <p>Content: by default a push says only {@link #DEFAULT_BODY} ({@code push.body}) under {@link
 * #DEFAULT_TITLE} ({@code push.title}), never the message's text; {@code push.previews=true} puts the first
 * {@code push.preview-chars} characters of the text in the body instead. A push about several messages
 * (the trailing push after a burst) says {@link #DEFAULT_SUMMARY_BODY} ({@code push.summary-body}, where
 * {@value #COUNT} is the number), followed by the newest one's preview when previews are on.
 *
 * <p>Per device: one push per message at most; bursts are coalesced to at most one push per {@code
 * push.coalesce-window}, and {@code push.rate-per-device} caps the rest ({@link PushGate}); the messages
 * held back get one trailing push once the gate lets one through. The work
 * queue holds at most {@code push.queue-capacity} messages (more are dropped and counted), drained by
 * {@code push.workers} threads, each send bounded by {@code push.send-timeout}.
 */
public final class PushSettings {
    public static final String DEFAULT_TITLE = "Duet";
    public static final String DEFAULT_BODY = "New message";
    /** In {@code push.summary-body}: replaced by the number of messages. */
    public static final String COUNT = "{count}";
    public static final String DEFAULT_SUMMARY_BODY = COUNT + " new messages";
    public static final int DEFAULT_PREVIEW_CHARS = 100;
    public static final Duration DEFAULT_COALESCE_WINDOW = Duration.ofSeconds(10);
    public static final Rate DEFAULT_RATE_PER_DEVICE = Rate.of(60, Duration.ofHours(1));
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    public static final int DEFAULT_WORKERS = 2;
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_TRACKED_DEVICES = 100_000;

    final ApnsSettings apns;
    final FcmSettings fcm;
    final String title;
    final String body;
    final String summaryBody;
    final boolean previews;
    final int previewChars;
    final Duration coalesceWindow;
    final Rate ratePerDevice;
    final int queueCapacity;
    final int workers;
    final Duration sendTimeout;
    final int maxTrackedDevices;

    private PushSettings(Builder builder) {
        this.apns = builder.apns;
        this.fcm = builder.fcm;
        this.title = Objects.requireNonNull(builder.title, "title");
        this.body = Objects.requireNonNull(builder.body, "body");
        this.summaryBody = Objects.requireNonNull(builder.summaryBody, "summaryBody");
        this.previews = builder.previews;
        this.previewChars = positive("previewChars", builder.previewChars);
        this.coalesceWindow = Objects.requireNonNull(builder.coalesceWindow, "coalesceWindow");
        if (coalesceWindow.isNegative()) {
            throw new IllegalArgumentException("coalesceWindow: " + coalesceWindow + " (expected: >= 0)");
        }
        this.ratePerDevice = Objects.requireNonNull(builder.ratePerDevice, "ratePerDevice");
        this.queueCapacity = positive("queueCapacity", builder.queueCapacity);
        this.workers = positive("workers", builder.workers);
        this.sendTimeout = Objects.requireNonNull(builder.sendTimeout, "sendTimeout");
        this.maxTrackedDevices = positive("maxTrackedDevices", builder.maxTrackedDevices);
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
        return value;
    }

    public static PushSettings from(Settings settings) {
        Builder builder = builder()
                .apns(ApnsSettings.from(settings))
                .fcm(FcmSettings.from(settings))
                .title(settings.string("push.title", DEFAULT_TITLE))
                .body(settings.string("push.body", DEFAULT_BODY))
                .summaryBody(settings.string("push.summary-body", DEFAULT_SUMMARY_BODY))
                .previews(settings.bool("push.previews", false))
                .previewChars(settings.integer("push.preview-chars", DEFAULT_PREVIEW_CHARS))
                .coalesceWindow(settings.duration("push.coalesce-window", DEFAULT_COALESCE_WINDOW))
                .queueCapacity(settings.integer("push.queue-capacity", DEFAULT_QUEUE_CAPACITY))
                .workers(settings.integer("push.workers", DEFAULT_WORKERS))
                .sendTimeout(settings.duration("push.send-timeout", DEFAULT_SEND_TIMEOUT))
                .maxTrackedDevices(settings.integer("push.max-tracked-devices", DEFAULT_MAX_TRACKED_DEVICES));
        if (settings.has("push.rate-per-device")) {
            builder.ratePerDevice(Rate.parse(settings.string("push.rate-per-device")));
        }
        return builder.build();
    }

    /** Whether any platform is configured: without one, no push is sent. */
    public boolean enabled() {
        return apns != null || fcm != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable; {@link #build()} makes the immutable settings. Every field starts at its default. */
    public static final class Builder {
        private ApnsSettings apns;
        private FcmSettings fcm;
        private String title = DEFAULT_TITLE;
        private String body = DEFAULT_BODY;
        private String summaryBody = DEFAULT_SUMMARY_BODY;
        private boolean previews;
        private int previewChars = DEFAULT_PREVIEW_CHARS;
        private Duration coalesceWindow = DEFAULT_COALESCE_WINDOW;
        private Rate ratePerDevice = DEFAULT_RATE_PER_DEVICE;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private int workers = DEFAULT_WORKERS;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
        private int maxTrackedDevices = DEFAULT_MAX_TRACKED_DEVICES;

        private Builder() {
        }

        /** APNs, or null (the default) for none. */
        public Builder apns(ApnsSettings apns) {
            this.apns = apns;
            return this;
        }

        /** FCM, or null (the default) for none. */
        public Builder fcm(FcmSettings fcm) {
            this.fcm = fcm;
            return this;
        }

        public Builder title(String title) {
            this.title = title;
            return this;
        }

        /** The body of a push without a preview. */
        public Builder body(String body) {
            this.body = body;
            return this;
        }

        /** The body of a push about several messages; {@value #COUNT} in it is replaced by their number. */
        public Builder summaryBody(String summaryBody) {
            this.summaryBody = summaryBody;
            return this;
        }

        /** Whether pushes show the start of the message's text (off by default). */
        public Builder previews(boolean previews) {
            this.previews = previews;
            return this;
        }

        public Builder previewChars(int previewChars) {
            this.previewChars = previewChars;
            return this;
        }

        /** At most one push per device per window; zero for no coalescing. */
        public Builder coalesceWindow(Duration coalesceWindow) {
            this.coalesceWindow = coalesceWindow;
            return this;
        }

        public Builder ratePerDevice(Rate ratePerDevice) {
            this.ratePerDevice = ratePerDevice;
            return this;
        }

        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
            return this;
        }

        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        public Builder sendTimeout(Duration sendTimeout) {
            this.sendTimeout = sendTimeout;
            return this;
        }

        /** Devices whose recent pushes are remembered (for deduplication and rate limits). */
        public Builder maxTrackedDevices(int maxTrackedDevices) {
            this.maxTrackedDevices = maxTrackedDevices;
            return this;
        }

        public PushSettings build() {
            return new PushSettings(this);
        }
    }
}
