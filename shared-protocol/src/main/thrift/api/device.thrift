/*
 * Duet client API v1: the caller's device. TCP sessions, and HTTP at POST /api/v1/device.
 *
 * A device registers the push token its platform gave it; when a message reaches a user none of whose
 * devices has a TCP session open, each of the user's registered devices gets a push through its
 * platform (APNs or FCM). The token belongs to the calling device (the deviceId of its log-in): one token
 * per device, a new registration replaces the old one. A token the platform reports invalid is dropped
 * by the server; the app registers again when its platform hands it a new one.
 */
include "common.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.device

enum PushPlatform {
  /** Apple Push Notification service: token = the device token, in hex. */
  APNS = 1,
  /** Firebase Cloud Messaging (HTTP v1 API): token = the registration token. */
  FCM = 2,
}

struct RegisterPushTokenRequest {
  1: PushPlatform platform,
  /** At most 4096 characters. */
  2: string token,
}

struct RegisterPushTokenResult {
}

struct UnregisterPushTokenRequest {
}

struct UnregisterPushTokenResult {
}

service DeviceService {
  /** Sets the calling device's push token (replacing any earlier one). Needs a session, not a couple. */
  RegisterPushTokenResult registerPushToken(1: RegisterPushTokenRequest request) throws (1: common.DuetError error),

  /** Removes the calling device's push token: it gets no more pushes. Removing none is not an error. */
  UnregisterPushTokenResult unregisterPushToken(1: UnregisterPushTokenRequest request)
      throws (1: common.DuetError error),
}
