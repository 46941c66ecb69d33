package io.duet.protocol.thrift;

import java.util.Arrays;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.transport.TTransport;

/**
 * A compact protocol writing into a byte array that its thread reuses from one encode to the next: an
 * encode then allocates only its result, instead of a protocol, a buffer that grows by copying, and a
 * synchronized stream to write through (the profiles of both server tiers found a fifth of their
 * allocation there). Per thread ({@link #acquire}), and used by one encode at a time: a nested encode on
 * the same thread gets a fresh one.
 */
final class ScratchOutput extends TTransport {
    /** Room a scratch starts with: most messages and relay frames fit. */
    private static final int INITIAL_BYTES = 1024;
    /** A scratch that grew past this is dropped after use, so that one large encode holds no memory for long. */
    private static final int MAX_RETAINED_BYTES = 64 * 1024;

    private static final ThreadLocal<ScratchOutput> PER_THREAD = new ThreadLocal<>();

    private final TCompactProtocol protocol = new TCompactProtocol(this);
    private byte[] bytes = new byte[INITIAL_BYTES];
    private int length;
    private boolean inUse;

    private ScratchOutput() {
    }

    /**
     * This thread's scratch, empty, and marked in use until {@link #release}; a fresh one if the thread's
     * is in use. Writing checks no limits (they bound what is read), so one scratch serves every codec.
     */
    static ScratchOutput acquire() {
        ScratchOutput scratch = PER_THREAD.get();
        if (scratch == null) {
            scratch = new ScratchOutput();
            PER_THREAD.set(scratch);
        } else if (scratch.inUse) {
            scratch = new ScratchOutput();
        }
        scratch.inUse = true;
        scratch.length = 0;
        scratch.protocol.reset();
        return scratch;
    }

    TCompactProtocol protocol() {
        return protocol;
    }

    /** What was written, in an array of its own. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    /** Done with it: the thread may use it again. */
    void release() {
        inUse = false;
        if (bytes.length > MAX_RETAINED_BYTES) {
            bytes = new byte[INITIAL_BYTES];
        }
    }

    @Override
    public void write(byte[] buf, int off, int len) {
        int needed = length + len;
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(needed, 2 * bytes.length));
        }
        System.arraycopy(buf, off, bytes, length, len);
        length = needed;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void open() {
    }

    @Override
    public void close() {
    }

    @Override
    public int read(byte[] buf, int off, int len) {
        throw new UnsupportedOperationException("write only");
    }

    @Override
    public TConfiguration getConfiguration() {
        return TConfiguration.DEFAULT;
    }

    @Override
    public void updateKnownMessageSize(long size) {
    }

    @Override
    public void checkReadBytesAvailable(long numBytes) {
    }

    @Override
    public void resetMessageSizeAndConsumedBytes(long newSize) {
    }
}
