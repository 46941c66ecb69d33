package io.duet.protocol.fuzz;

import io.duet.protocol.frame.FrameException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Feeds a byte stream through a decoding pipeline in an {@link EmbeddedChannel}, in chunks of a given size,
 * the way a socket would deliver it, and collects what comes out: the decoded messages and the first
 * {@link FrameException} (the typed rejection). Any other exception propagates: it is a finding. So is a
 * message or an exception after the first rejection, since the decoders promise to discard everything
 * after it, and a buffer the pipeline did not release. As on a server, where the last handler closes the
 * connection on any exception, the channel is closed at the first one and nothing more is written to it.
 */
public final class FrameStreams {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private FrameStreams() {
    }

    /** What a pipeline made of a stream. */
    public static final class Decoded {
        public final List<Object> messages = new ArrayList<>();
        public FrameException rejection;
        /** Bytes the decoding thread allocated on the heap while the pipeline read the stream. */
        public long allocatedBytes;

        /** The rejection's class, or null: two deliveries of one stream must agree on it. */
        public Class<?> rejectionType() {
            return rejection == null ? null : rejection.getClass();
        }
    }

    /**
     * @param chunk bytes per read, at least 1 (the last read may be shorter)
     * @param handlers the pipeline, created afresh for this stream
     */
    public static Decoded decode(byte[] stream, int chunk, LeakCheckingAllocator allocator, ChannelHandler... handlers) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(handlers);
        channel.pipeline().addLast(new CloseOnException());
        Decoded decoded = new Decoded();
        long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        for (int offset = 0, length; offset < stream.length && channel.isOpen(); offset += length) {
            length = Math.min(chunk, stream.length - offset);
            ByteBuf read = allocator.buffer(length).writeBytes(stream, offset, length);
            boolean rejectedBefore = decoded.rejection != null;
            try {
                channel.writeInbound(read);
            } catch (FrameException e) {
                if (rejectedBefore) {
                    throw new AssertionError("a second rejection after " + decoded.rejection, e);
                }
                decoded.rejection = e;
            }
            drain(channel, decoded, rejectedBefore);
        }
        try {
            channel.finish();
        } catch (FrameException e) {
            if (decoded.rejection != null) {
                throw new AssertionError("a second rejection after " + decoded.rejection, e);
            }
            decoded.rejection = e;
        }
        drain(channel, decoded, decoded.rejection != null);
        decoded.allocatedBytes = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
        channel.finishAndReleaseAll();
        allocator.assertAllReleased();
        return decoded;
    }

    /** Closes the channel on an exception, as the handlers at the end of Duet's pipelines do. */
    private static final class CloseOnException extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
            ctx.fireExceptionCaught(cause);
        }
    }

    private static void drain(EmbeddedChannel channel, Decoded decoded, boolean rejected) {
        for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
            if (rejected) {
                throw new AssertionError("decoded " + message + " after rejecting the stream: " + decoded.rejection);
            }
            decoded.messages.add(message);
        }
    }

    /** {@code input} without its first {@code n} bytes, which a fuzz target used to choose how to run. */
    public static byte[] rest(byte[] input, int n) {
        return input.length <= n ? new byte[0] : Arrays.copyOfRange(input, n, input.length);
    }
}
