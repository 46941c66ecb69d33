package io.duet.protocol.frame;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes to one channel from any thread, and flushes once per burst instead of once per message: every
 * flush is a {@code write()} syscall (and, under TLS, a record of its own), which cost more than the
 * messages themselves when each was flushed alone.
 *
 * <p>A write runs on the channel's event loop (at once when called there, else as a task), and the first
 * write after a flush queues one flush task behind it; writes that come before that task runs ride along.
 * Netty runs a loop's tasks in the order they were queued, and only after the I/O of the loop iteration
 * at hand, so a message is flushed at most one turn of its event loop after it was written, and every
 * frame that one read of another channel produced goes out in one syscall. The flag is touched only on
 * the event loop.
 */
public final class BatchedFlush {
    private final Channel channel;
    private final EventLoop loop;
    private final Runnable flush = this::flushNow;
    // Event loop only.
    private boolean flushQueued;

    public BatchedFlush(Channel channel) {
        this.channel = channel;
        this.loop = channel.eventLoop();
    }

    /** Writes {@code message}; it is flushed soon. Callable from any thread. */
    public void write(Object message) {
        write(message, null);
    }

    /**
     * Writes {@code message}, and tells {@code written} when it is written or failed (null: nobody asks).
     * Callable from any thread.
     */
    public void write(Object message, ChannelFutureListener written) {
        if (loop.inEventLoop()) {
            writeNow(message, written);
            return;
        }
        try {
            loop.execute(() -> writeNow(message, written));
        } catch (RejectedExecutionException e) {
            // The loop has shut down, and its channels are closed: nothing can be written any more.
            ReferenceCountUtil.release(message);
        }
    }

    private void writeNow(Object message, ChannelFutureListener written) {
        if (written == null) {
            channel.write(message, channel.voidPromise());
        } else {
            channel.write(message).addListener(written);
        }
        if (!flushQueued) {
            flushQueued = true;
            loop.execute(flush);
        }
    }

    private void flushNow() {
        flushQueued = false;
        channel.flush();
    }
}
