package io.duet.presentation.relay;

import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.StreamData;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftLimits;
import io.duet.protocol.thrift.ThriftMessages;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.LongObjectHashMap;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;

/**
 * Times the calls on one relay link (see {@link RelayCallMeters}): a CALL written is matched with the
 * REPLY read on the same stream by its Thrift sequence id. It reads only message headers: on session
 * streams (compact protocol) by hand, without copying; on HTTP request streams through Thrift. Lives on
 * the link's event loop, between the relay codec and the link. Calls left unanswered are forgotten
 * when their stream closes; at most {@value #MAX_PENDING} are timed at once per link.
 */
final class RelayCallTimer extends ChannelDuplexHandler {
    static final int MAX_PENDING = 65_536;
    private static final ThriftCodec HEADERS = new ThriftCodec(ThriftLimits.UNTRUSTED);

    private final RelayCallMeters meters;
    /** Open streams by id: their protocol and their calls waiting for a reply. */
    private final LongObjectHashMap<Stream> streams = new LongObjectHashMap<>();
    private int pending;

    RelayCallTimer(RelayCallMeters meters) {
        this.meters = meters;
    }

    private static final class Stream {
        final WireProtocol protocol;
        final IntObjectHashMap<Call> calls = new IntObjectHashMap<>(4);

        Stream(WireProtocol protocol) {
            this.protocol = protocol;
        }
    }

    private static final class Call {
        final Timer timer;
        final long startedNanos;

        Call(Timer timer, long startedNanos) {
            this.timer = timer;
            this.startedNanos = startedNanos;
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof RelayFrame) {
            RelayFrame frame = (RelayFrame) msg;
            if (frame.isSetData()) {
                callSent(frame.getData());
            } else if (frame.isSetOpen()) {
                WireProtocol protocol = frame.getOpen().getProtocol();
                if (streams.put(frame.getOpen().getStreamId(),
                        new Stream(protocol == null ? WireProtocol.COMPACT : protocol)) == null) {
                    meters.openStreams.incrementAndGet();
                }
            } else if (frame.isSetClose()) {
                closed(frame.getClose().getStreamId());
            }
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof RelayFrame) {
            RelayFrame frame = (RelayFrame) msg;
            if (frame.isSetData() && frame.getData().getKind() == PayloadKind.REPLY) {
                replyRead(frame.getData());
            } else if (frame.isSetClose()) {
                closed(frame.getClose().getStreamId());
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        meters.openStreams.addAndGet(-streams.size());
        streams.clear();
        pending = 0;
        super.channelInactive(ctx);
    }

    private void callSent(StreamData data) {
        Stream stream = streams.get(data.getStreamId());
        if (data.getKind() != PayloadKind.CALL || stream == null || pending >= MAX_PENDING) {
            return;
        }
        byte[] call = data.getPayload();
        long started = System.nanoTime();
        Timer timer;
        int seqid;
        if (stream.protocol == WireProtocol.COMPACT) {
            if (!CompactHeader.isCall(call)) {
                return;
            }
            seqid = CompactHeader.seqid(call);
            timer = meters.timerOf(CompactHeader.name(call));
        } else {
            TMessage header = header(call, stream.protocol);
            if (header == null || header.type != TMessageType.CALL) {
                return;
            }
            seqid = header.seqid;
            timer = meters.timerOf(header.name);
        }
        if (stream.calls.put(seqid, new Call(timer, started)) == null) {
            pending++;
        }
    }

    private void replyRead(StreamData data) {
        Stream stream = streams.get(data.getStreamId());
        if (stream == null || stream.calls.isEmpty()) {
            return;
        }
        byte[] reply = data.getPayload();
        int seqid;
        if (stream.protocol == WireProtocol.COMPACT) {
            seqid = CompactHeader.seqid(reply);
        } else {
            TMessage header = header(reply, stream.protocol);
            if (header == null) {
                return;
            }
            seqid = header.seqid;
        }
        Call call = stream.calls.remove(seqid);
        if (call != null) {
            pending--;
            call.timer.record(System.nanoTime() - call.startedNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void closed(long streamId) {
        Stream stream = streams.remove(streamId);
        if (stream != null) {
            pending -= stream.calls.size();
            meters.openStreams.decrementAndGet();
        }
    }

    private static TMessage header(byte[] message, WireProtocol protocol) {
        try {
            return ThriftMessages.read(HEADERS, message, protocol).header();
        } catch (MalformedPayloadException e) {
            return null;
        }
    }

    /**
     * The header of a Thrift compact-protocol message: protocol id 0x82, version and type, the
     * sequence id as a varint, the name as a varint length and UTF-8 bytes. A malformed header reads as
     * sequence id -1 and no name.
     */
    static final class CompactHeader {
        private static final int PROTOCOL_ID = 0x82;

        private CompactHeader() {
        }

        static boolean isCall(byte[] message) {
            return message.length > 2 && (message[0] & 0xff) == PROTOCOL_ID
                    && ((message[1] & 0xe0) >>> 5) == TMessageType.CALL;
        }

        static int seqid(byte[] message) {
            long packed = varint(message, 2);
            return packed < 0 ? -1 : (int) packed;
        }

        static String name(byte[] message) {
            long seqid = varint(message, 2);
            if (seqid < 0) {
                return null;
            }
            long length = varint(message, (int) (seqid >>> 32)); // the name's length follows the sequence id
            if (length < 0) {
                return null;
            }
            int from = (int) (length >>> 32);
            int size = (int) length;
            if (size < 0 || size > 128 || from + size > message.length) {
                return null;
            }
            return new String(message, from, size, StandardCharsets.UTF_8);
        }

        /**
         * The unsigned varint32 at {@code offset}: its value in the low 32 bits and the offset after it in
         * the high bits; -1 if it runs past the end or past five bytes.
         */
        static long varint(byte[] message, int offset) {
            int value = 0;
            for (int i = 0; i < 5 && offset + i < message.length; i++) {
                int b = message[offset + i];
                value |= (b & 0x7f) << (7 * i);
                if ((b & 0x80) == 0) {
                    return ((long) (offset + i + 1) << 32) | (value & 0xffffffffL);
                }
            }
            return -1;
        }
    }
}
