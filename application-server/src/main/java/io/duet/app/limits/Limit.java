package io.duet.app.limits;

import java.time.Duration;

/**
 * Every rate limit, with its settings key (under {@code limits.}) and its default. Each limit counts
 * per key: a source address, a user, a device, a couple or an email.
 */
public enum Limit {
    /** Sign-ups from one source address. */
    SIGN_UP_PER_ADDRESS("sign-up.per-address", Rate.of(20, Duration.ofHours(1)), "sign-ups from this address"),
    /** Log-in attempts from one source address, right or wrong. */
    LOG_IN_PER_ADDRESS("log-in.per-address", Rate.of(30, Duration.ofMinutes(1)), "log-in attempts from this address"),
    /**
     * Wrong passwords tried for one email, from anywhere: what bounds guessing one user's password. Counted
     * cluster-wide in HBase by {@link LogInAttempts}, not by {@link RateLimiter}.
     */
    LOG_IN_PER_ACCOUNT("log-in.per-account", Rate.of(10, Duration.ofHours(1)), "wrong passwords tried for this account"),
    /** Invite acceptances (right or wrong codes) by one user. */
    ACCEPT_INVITE_PER_USER("accept-invite.per-user", Rate.of(10, Duration.ofHours(1)), "invite codes tried by this user"),
    /** Invite acceptances from one source address, whoever the users. */
    ACCEPT_INVITE_PER_ADDRESS("accept-invite.per-address", Rate.of(30, Duration.ofHours(1)),
            "invite codes tried from this address"),
    /** Account deletions tried by one user (each checks the password). */
    DELETE_ACCOUNT_PER_USER("delete-account.per-user", Rate.of(10, Duration.ofHours(1)),
            "account deletions tried by this user"),
    /** Unpairings tried by one user (each checks the password). */
    UNPAIR_PER_USER("unpair.per-user", Rate.of(10, Duration.ofHours(1)), "unpairings tried by this user"),
    /** Invites created by one user. */
    CREATE_INVITE_PER_USER("create-invite.per-user", Rate.of(20, Duration.ofHours(1)), "invites created by this user"),
    /** Messages sent from one device. */
    SEND_PER_DEVICE("send.per-device", Rate.of(50, Duration.ofSeconds(1)), "messages sent from this device"),
    /** Messages sent by one user, from all their devices. */
    SEND_PER_USER("send.per-user", Rate.of(75, Duration.ofSeconds(1)), "messages sent by this user"),
    /** Messages sent in one couple, by both partners. */
    SEND_PER_COUPLE("send.per-couple", Rate.of(100, Duration.ofSeconds(1)), "messages sent in this couple"),
    /** Typing notices from one device. */
    TYPING_PER_DEVICE("typing.per-device", Rate.of(10, Duration.ofSeconds(1)), "typing notices from this device"),
    /** History pages fetched by one device. */
    HISTORY_PER_DEVICE("history.per-device", Rate.of(20, Duration.ofSeconds(1)), "history pages fetched by this device"),
    /** Read marks (and read-state look-ups) from one device; marks in a burst are coalesced into one write. */
    READ_MARK_PER_DEVICE("read-mark.per-device", Rate.of(20, Duration.ofSeconds(1)), "read marks from this device"),
    /** Photo uploads started (createUpload) by one device. */
    PHOTO_UPLOAD_PER_DEVICE("photo-upload.per-device", Rate.of(60, Duration.ofMinutes(1)),
            "photo uploads from this device"),
    /** Other photo calls (finishing uploads, look-ups, download URLs, deletes) from one device. */
    PHOTO_PER_DEVICE("photo.per-device", Rate.of(20, Duration.ofSeconds(1)), "photo calls from this device"),
    /** Push token registrations and removals by one device. */
    PUSH_TOKEN_PER_DEVICE("push-token.per-device", Rate.of(10, Duration.ofMinutes(1)),
            "push token changes from this device");

    private final String key;
    private final Rate defaultRate;
    private final String counted;

    Limit(String key, Rate defaultRate, String counted) {
        this.key = key;
        this.defaultRate = defaultRate;
        this.counted = counted;
    }

    /** The settings key, without the {@code limits.} prefix. */
    public String key() {
        return key;
    }

    public Rate defaultRate() {
        return defaultRate;
    }

    /** Whether its keys are source addresses (see {@link RateLimits#exemptAddresses()}). */
    boolean perAddress() {
        return key.endsWith(".per-address");
    }

    /** What is counted, for the client's error message: "too many " + counted. */
    String counted() {
        return counted;
    }
}
