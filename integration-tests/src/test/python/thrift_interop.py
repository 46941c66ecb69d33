"""A stock Python Thrift client against Duet's HTTP API, with the binary, compact and JSON protocols.

Run by PythonClientIT with Debian's python3 (/usr/bin/python3, which has Debian's python3-thrift):

    /usr/bin/python3 thrift_interop.py --endpoint http://127.0.0.1:7402 --generated GEN_PY_DIR

GEN_PY_DIR holds what Debian's compiler generated from the IDL (/usr/bin/thrift --gen py -out GEN_PY_DIR
FILE, for every file under shared-protocol/src/main/thrift/api). For each protocol it signs two users up,
pairs them (invite and accept), chats (send, a retry, history; a sticker, an edit, a stale edit that gets
MessageConflict and a delete), uploads a photo as the SDK does (createUpload, a PUT of a PNG made here to the
presigned S3 URL, finishUpload; then its metadata, its photo message and its presigned download URLs, and bytes
that are not an image refused) and edits a memo from both sides (create and a retry of it, edit with the version, a
stale edit that gets MemoConflict), and checks the errors a client acts on. It prints one line per step; a protocol
stops at its first failed check (with a traceback), the others still run, and the exit status is 0 only when
all three passed.
"""

import argparse
import struct
import sys
import traceback
import urllib.error
import urllib.request
import uuid
import zlib


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="the HTTP API's base URL, http://HOST:PORT")
    parser.add_argument("--generated", required=True, help="the directory thrift --gen py wrote to")
    parser.add_argument("--timeout-ms", type=int, default=30000, help="per HTTP call")
    return parser.parse_args()


ARGS = parse_args()
sys.path.insert(0, ARGS.generated)

from thrift.protocol import TBinaryProtocol, TCompactProtocol, TJSONProtocol  # noqa: E402
from thrift.transport import THttpClient  # noqa: E402

from duet.api.account import AccountService  # noqa: E402
from duet.api.account.ttypes import LogInRequest, RefreshSessionRequest, SignUpRequest  # noqa: E402
from duet.api.chat import ChatService  # noqa: E402
from duet.api.chat.ttypes import (  # noqa: E402
    DeleteMessageRequest, EditMessageRequest, FetchHistoryRequest, MessageConflict, MessageKind, SendMessageRequest,
    StickerRef, SubscribeRequest)
from duet.api.common.constants import (  # noqa: E402
    ACCOUNT_SERVICE, CHAT_SERVICE, FEED_SERVICE, MEMO_SERVICE, PAIRING_SERVICE, PHOTO_SERVICE)
from duet.api.common.ttypes import DuetError, ErrorCode  # noqa: E402
from duet.api.feed import FeedService  # noqa: E402
from duet.api.feed.ttypes import PollEventsRequest  # noqa: E402
from duet.api.memo import MemoService  # noqa: E402
from duet.api.memo.ttypes import (  # noqa: E402
    CreateMemoRequest, EditMemoRequest, GetMemoRequest, ListMemosRequest, MemoConflict)
from duet.api.pairing import PairingService  # noqa: E402
from duet.api.pairing.ttypes import AcceptInviteRequest, CreateInviteRequest  # noqa: E402
from duet.api.photo import PhotoService  # noqa: E402
from duet.api.photo.ttypes import (  # noqa: E402
    CreateUploadRequest, FinishUploadRequest, GetPhotoRequest, GetPhotoUrlRequest, ListPhotosRequest, PhotoVariant)

PROTOCOLS = {
    "binary": TBinaryProtocol.TBinaryProtocol,
    "compact": TCompactProtocol.TCompactProtocol,
    "json": TJSONProtocol.TJSONProtocol,
}


class CheckFailed(Exception):
    pass


def check(condition, what):
    if not condition:
        raise CheckFailed(what)


def expect_error(call, exception_type, what):
    """Runs call, which must raise exception_type; returns the exception."""
    try:
        result = call()
    except exception_type as e:
        return e
    raise CheckFailed("%s: expected %s, got the result %r" % (what, exception_type.__name__, result))


class Api:
    """Stock generated clients over THttpClient, one transport per service, as an app would hold them."""

    def __init__(self, endpoint, protocol, token=None):
        self.endpoint = endpoint.rstrip("/")
        self.protocol = protocol
        self.token = token

    def _client(self, service, client_class):
        transport = THttpClient.THttpClient(self.endpoint + "/api/v1/" + service)
        transport.setTimeout(ARGS.timeout_ms)
        if self.token is not None:
            transport.setCustomHeaders({"Authorization": "Bearer " + self.token})
        return client_class(PROTOCOLS[self.protocol](transport))

    def account(self):
        return self._client(ACCOUNT_SERVICE, AccountService.Client)

    def pairing(self):
        return self._client(PAIRING_SERVICE, PairingService.Client)

    def chat(self):
        return self._client(CHAT_SERVICE, ChatService.Client)

    def feed(self):
        return self._client(FEED_SERVICE, FeedService.Client)

    def memo(self):
        return self._client(MEMO_SERVICE, MemoService.Client)

    def photo(self):
        return self._client(PHOTO_SERVICE, PhotoService.Client)

    def as_user(self, token):
        return Api(self.endpoint, self.protocol, token)


def png(width, height):
    """A real RGB PNG image (a colour gradient) made with the standard library only."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 128)) for x in range(width))
                    for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits per channel, RGB, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def image_size(data):
    """(content type, width, height) of a PNG or baseline/progressive JPEG, read from its header."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    check(data.startswith(b"\xff\xd8"), "the download is a PNG or a JPEG image (%r...)" % (data[:8],))
    at = 2
    while at + 4 <= len(data):
        check(data[at] == 0xFF, "a JPEG marker at byte %d" % at)
        marker, length = data[at + 1], struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return "image/jpeg", width, height
        at += 2 + length
    raise CheckFailed("the JPEG has no frame header")


def http(method, url, body=None, headers=None):
    """An HTTP request straight to the object store (no Duet token); returns the response's bytes."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=ARGS.timeout_ms / 1000.0) as response:
            return response.read()
    except urllib.error.HTTPError as e:
        raise CheckFailed("%s of a presigned URL: HTTP %d %s" % (method, e.code, e.read()[:300]))


def upload(api, data, caption):
    """The three steps of a photo upload, as the SDK takes them: createUpload, a PUT to S3, finishUpload."""
    slot = api.photo().createUpload(CreateUploadRequest(len(data)))
    check(slot.uploadId and slot.uploadUrl.startswith("http") and slot.maxBytes >= len(data),
          "createUpload returns where to PUT the bytes (%r)" % (slot,))
    headers = dict(slot.headers or {})
    headers["Content-Length"] = str(len(data))
    # Without it urllib sends application/x-www-form-urlencoded, which S3Proxy refuses on a presigned PUT.
    headers.setdefault("Content-Type", "application/octet-stream")
    http("PUT", slot.uploadUrl, data, headers)
    return api.photo().finishUpload(FinishUploadRequest(slot.uploadId, caption))


def step(protocol, text):
    print("[%s] %s" % (protocol, text), flush=True)


def run(endpoint, protocol):
    anonymous = Api(endpoint, protocol)
    run_id = uuid.uuid4().hex[:12]
    # Non-ASCII text checks that every protocol carries UTF-8 strings both ways.
    ann_name, bob_name = "Ann \u00e9\u00e8 %s" % protocol, "Bob \u2603 %s" % protocol
    ann_email = "py-%s-ann-%s@example.com" % (protocol, run_id)
    bob_email = "py-%s-bob-%s@example.com" % (protocol, run_id)
    password = "python interop password"

    ann = anonymous.account().signUp(SignUpRequest(ann_email, password, ann_name, "py-ann-phone"))
    check(ann.token and ann.userId > 0, "sign-up returns a token and a user id")
    check(ann.me is not None and ann.me.displayName == ann_name,
          "Session.me carries the display name (%r)" % (ann.me,))
    check(ann.coupleId is None, "a new account has no couple")
    bob = anonymous.account().signUp(SignUpRequest(bob_email, password, bob_name, "py-bob-phone"))
    check(bob.userId != ann.userId, "two accounts, two user ids")
    again = anonymous.account().logIn(LogInRequest(ann_email.upper(), password, "py-ann-tablet"))
    check(again.userId == ann.userId, "log-in with the email in capitals finds the same account")
    error = expect_error(lambda: anonymous.account().logIn(LogInRequest(ann_email, "wrong password!", "x")),
                         DuetError, "a wrong password")
    check(error.code == ErrorCode.UNAUTHENTICATED, "a wrong password gets UNAUTHENTICATED, not %r" % (error,))
    step(protocol, "signed up %d and %d, logged in, a wrong password refused" % (ann.userId, bob.userId))

    unpaired = expect_error(lambda: anonymous.as_user(ann.token).chat().fetchHistory(FetchHistoryRequest(0, 10)),
                            DuetError, "chat before pairing")
    check(unpaired.code == ErrorCode.NOT_PAIRED, "chat before pairing gets NOT_PAIRED, not %r" % (unpaired,))
    invite = anonymous.as_user(ann.token).pairing().createInvite(CreateInviteRequest())
    check(len(invite.code) > 0, "an invite code")
    bob = anonymous.as_user(bob.token).pairing().acceptInvite(AcceptInviteRequest(invite.code))
    check(bob.coupleId is not None and bob.coupleId > 0, "accepting the invite makes a couple")
    check(bob.partner is not None and bob.partner.userId == ann.userId and bob.partner.displayName == ann_name,
          "the accepter's session names the partner (%r)" % (bob.partner,))
    ann = anonymous.as_user(ann.token).account().refreshSession(RefreshSessionRequest(ann.refreshToken))
    check(ann.coupleId == bob.coupleId, "the inviter's refreshed session carries the couple")
    check(ann.partner is not None and ann.partner.displayName == bob_name, "and names the partner")
    step(protocol, "paired as couple %d" % bob.coupleId)

    ann_api, bob_api = anonymous.as_user(ann.token), anonymous.as_user(bob.token)
    message_id = str(uuid.uuid4())
    text = "hello from Python over %s \u2764 \U0001F600" % protocol
    sent = ann_api.chat().sendMessage(SendMessageRequest(message_id, text, 1))
    check(sent.seq > 0 and not sent.duplicate, "a send is stored with a sequence number")
    retry = ann_api.chat().sendMessage(SendMessageRequest(message_id, text, 2))
    check(retry.seq == sent.seq and retry.duplicate, "a retry with the same id is stored once")
    reply = bob_api.chat().sendMessage(SendMessageRequest(str(uuid.uuid4()), "hi Ann", 1))
    check(reply.seq > sent.seq, "the partner's message comes after")
    page = bob_api.chat().fetchHistory(FetchHistoryRequest(0, 10))
    check([m.text for m in page.messages] == [text, "hi Ann"], "history has both messages once, in order: %r"
          % ([m.text for m in page.messages],))
    first = page.messages[0]
    check(first.senderId == ann.userId and first.clientMessageId == message_id and first.kind == MessageKind.TEXT,
          "the history message says who sent it, with which id (%r)" % (first,))
    check(page.latestSeq == reply.seq and not page.hasMore, "the page knows it is the last one")
    after = ann_api.chat().fetchHistory(FetchHistoryRequest(sent.seq, 10))
    check([m.seq for m in after.messages] == [reply.seq], "history after a sequence number")
    polled = ann_api.chat().subscribe(SubscribeRequest(afterSeq=sent.seq, waitMillis=5000))
    check([m.seq for m in polled.messages] == [reply.seq] and not polled.hasMore,
          "a long poll (subscribe over HTTP) returns the message after afterSeq at once (%r)" % (polled,))
    idle = ann_api.chat().subscribe(SubscribeRequest(afterSeq=reply.seq, waitMillis=300))
    check(not idle.messages and idle.latestSeq == reply.seq, "a long poll with nothing new returns none after its wait")
    step(protocol, "chatted: seq %d and %d, history read back" % (sent.seq, reply.seq))

    sticker = ann_api.chat().sendMessage(SendMessageRequest(str(uuid.uuid4()), None, 1,
                                                            sticker=StickerRef("cats", "wave")))
    changed = ann_api.chat().editMessage(EditMessageRequest(sent.seq, text + " (edited)", 0))
    check(changed.version == 1 and changed.text == text + " (edited)" and changed.editedAtMillis is not None,
          "an edit replaces the text and raises the version (%r)" % (changed,))
    stale = expect_error(lambda: ann_api.chat().editMessage(EditMessageRequest(sent.seq, "stale", 0)),
                         MessageConflict, "an edit of a message based on a stale version")
    check(stale.current.version == 1 and stale.current.text == changed.text, "the conflict carries the message as it is")
    tombstone = ann_api.chat().deleteMessage(DeleteMessageRequest(sticker.seq))
    check(tombstone.deleted and tombstone.text is None and tombstone.sticker is None and tombstone.seq == sticker.seq,
          "a delete leaves a tombstone in place (%r)" % (tombstone,))
    page = bob_api.chat().fetchHistory(FetchHistoryRequest(0, 10))
    check([m.text for m in page.messages[:2]] == [changed.text, "hi Ann"] and page.messages[2].deleted,
          "history shows the edit and the tombstone (%r)" % (page.messages,))
    denied = expect_error(lambda: bob_api.chat().deleteMessage(DeleteMessageRequest(sent.seq)), DuetError,
                          "deleting the partner's message")
    check(denied.code == ErrorCode.PERMISSION_DENIED, "only the sender deletes a message, not %r" % (denied,))
    step(protocol, "a sticker sent, a message edited and one deleted")

    followed = bob_api.feed().pollEvents(PollEventsRequest(afterSeq=sent.seq, afterChange=0, waitMillis=5000))
    check([e.messageChanged.message.seq if e.messageChanged else e.message.message.seq for e in followed.events]
          == [sent.seq, reply.seq, sticker.seq] and followed.events[0].messageChanged.change == 1
          and followed.events[0].messageChanged.message.text == changed.text
          and followed.events[2].message.message.deleted,
          "the feed returns the edit of a message the poller has, then the messages after it as they are now (%r)"
          % (followed,))
    check(followed.afterSeq == sticker.seq and followed.afterChange == 2 and not followed.eventsLost,
          "the feed's cursors move past what it returned (%r)" % (followed,))
    quiet = bob_api.feed().pollEvents(PollEventsRequest(afterSeq=followed.afterSeq, afterChange=followed.afterChange,
                                                        stream=followed.stream, afterEvent=followed.afterEvent,
                                                        waitMillis=300))
    check(not quiet.events and not quiet.eventsLost and quiet.afterSeq == sticker.seq,
          "a feed poll with nothing new returns none after its wait (%r)" % (quiet,))
    step(protocol, "followed the couple with the event feed")

    picture = png(48, 36)
    caption = "us at the sea \u2600 (%s)" % protocol
    photo = upload(ann_api, picture, caption)
    check(len(photo.photoId) == 32 and photo.width == 48 and photo.height == 36 and photo.uploadedBy == ann.userId
          and photo.caption == caption and photo.messageSeq is not None, "finishUpload returns the photo (%r)" % (photo,))
    seen = bob_api.photo().getPhoto(GetPhotoRequest(photo.photoId))
    check((seen.photoId, seen.width, seen.height, seen.contentType, seen.sizeBytes)
          == (photo.photoId, 48, 36, photo.contentType, photo.sizeBytes), "the partner reads its metadata (%r)" % (seen,))
    listed = bob_api.photo().listPhotos(ListPhotosRequest())
    check([p.photoId for p in listed.photos] == [photo.photoId], "the couple's photos hold it")
    page = bob_api.chat().fetchHistory(FetchHistoryRequest(sticker.seq, 10))
    posted = [m for m in page.messages if m.seq == photo.messageSeq]
    check(len(posted) == 1 and posted[0].kind == MessageKind.PHOTO and posted[0].photoId == photo.photoId
          and posted[0].text == caption, "the upload posted a photo message (%r)" % (page.messages,))
    full = bob_api.photo().getPhotoUrl(GetPhotoUrlRequest(photo.photoId))
    downloaded = http("GET", full.url)
    check(len(downloaded) == photo.sizeBytes and image_size(downloaded) == (photo.contentType, 48, 36),
          "the presigned URL serves the FULL variant (%d bytes, %r)" % (len(downloaded), full))
    thumbnail = http("GET", bob_api.photo().getPhotoUrl(GetPhotoUrlRequest(photo.photoId, PhotoVariant.THUMBNAIL)).url)
    check(image_size(thumbnail)[1:] == (48, 36), "a thumbnail no larger than the photo keeps its size")
    stranger = expect_error(lambda: bob_api.photo().finishUpload(FinishUploadRequest(uuid.uuid4().hex)),
                            DuetError, "finishing an upload that was never created")
    check(stranger.code == ErrorCode.NOT_FOUND, "an unknown upload id gets NOT_FOUND, not %r" % (stranger,))
    junk = expect_error(lambda: upload(bob_api, b"these bytes are not an image, whatever the name says", None),
                        DuetError, "bytes that are not an image")
    check(junk.code == ErrorCode.INVALID_ARGUMENT, "bytes that are not an image get INVALID_ARGUMENT, not %r" % (junk,))
    step(protocol, "photo %s uploaded (%d bytes of PNG in, %s %d bytes stored) as message %d and downloaded"
         % (photo.photoId, len(picture), photo.contentType, photo.sizeBytes, photo.messageSeq))

    create = CreateMemoRequest("Groceries \u00e7a", "milk", clientMemoId=str(uuid.uuid4()))
    memo = ann_api.memo().createMemo(create)
    check(memo.version == 1 and memo.createdBy == ann.userId and memo.clientMemoId == create.clientMemoId,
          "a new memo is version 1, by its creator, with its client id (%r)" % (memo,))
    check(ann_api.memo().createMemo(create) == memo, "a retried create returns the memo the first attempt made")
    edited = bob_api.memo().editMemo(EditMemoRequest(memo.memoId, 1, None, "milk, eggs"))
    check(edited.version == 2 and edited.updatedBy == bob.userId and edited.title == memo.title,
          "the partner's edit raises the version and keeps the unset title (%r)" % (edited,))
    conflict = expect_error(lambda: ann_api.memo().editMemo(EditMemoRequest(memo.memoId, 1, None, "milk, bread")),
                            MemoConflict, "an edit based on a stale version")
    check(conflict.current.version == 2 and conflict.current.text == "milk, eggs",
          "the conflict carries the memo as it is now (%r)" % (conflict.current,))
    merged = ann_api.memo().editMemo(
        EditMemoRequest(memo.memoId, conflict.current.version, None, conflict.current.text + ", bread"))
    check(merged.version == 3, "the merged edit with the current version goes through")
    read_back = bob_api.memo().getMemo(GetMemoRequest(memo.memoId))
    check(read_back.text == "milk, eggs, bread" and read_back.version == 3, "the partner reads the merged memo")
    listed = bob_api.memo().listMemos(ListMemosRequest())
    check([m.memoId for m in listed.memos] == [memo.memoId], "the couple's list holds the memo")
    missing = expect_error(lambda: ann_api.memo().getMemo(GetMemoRequest(memo.memoId + 1000000)),
                           DuetError, "an unknown memo id")
    check(missing.code == ErrorCode.NOT_FOUND, "an unknown memo id gets NOT_FOUND, not %r" % (missing,))
    step(protocol, "memo %d edited by both, a stale edit got MemoConflict, merged at version 3" % memo.memoId)


def main():
    failed = []
    for protocol in PROTOCOLS:
        try:
            run(ARGS.endpoint, protocol)
            step(protocol, "passed")
        except Exception:  # any failure of one protocol is reported, and the others still run
            traceback.print_exc(file=sys.stdout)
            step(protocol, "FAILED")
            failed.append(protocol)
    passed = len(PROTOCOLS) - len(failed)
    print("protocols that passed: %d of %d%s" % (passed, len(PROTOCOLS), " (failed: %s)" % ", ".join(failed)
                                                   if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
