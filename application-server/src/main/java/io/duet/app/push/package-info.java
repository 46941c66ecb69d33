/**
 * Pushes to a partner who is offline. Start at {@link io.duet.app.push.Pushes}: a couple's actor reports a
 * committed message whose recipient has no session attached ({@code io.duet.app.couple.OfflineNotifier});
 * a bounded queue and its workers look up the recipient's device tokens ({@code
 * io.duet.app.storage.PushTokens}, in HBase), let each device through {@link io.duet.app.push.PushGate} (one push
 * per message, bursts coalesced with one trailing push summing up what they held back, a rate per device) and
 * send {@link io.duet.app.push.PushContent} through a
 * {@link io.duet.app.push.PushSender}: {@link io.duet.app.push.ApnsPushSender} (Pushy) or {@link
 * io.duet.app.push.FcmPushSender} (FCM HTTP v1, OAuth2 tokens from {@link io.duet.app.push.FcmAccessTokens}).
 * Tokens the platform calls dead are dropped. The settings are {@link io.duet.app.push.PushSettings}.
 */
package io.duet.app.push;
