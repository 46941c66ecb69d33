package io.duet.protocol.fuzz;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An unpooled heap allocator that remembers every buffer it hands out, so that a fuzz target can check,
 * after each input, that the code under test released all of them: a leaked buffer fails the input that
 * leaked it, not a garbage collection minutes later.
 */
public final class LeakCheckingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    public LeakCheckingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return track(super.compositeHeapBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return compositeHeapBuffer(maxNumComponents);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private <T extends ByteBuf> T track(T buffer) {
        allocated.add(buffer);
        return buffer;
    }

    /** Throws if a buffer allocated since the last call is still referenced; then forgets them all. */
    public void assertAllReleased() {
        List<ByteBuf> live = allocated.stream().filter(buffer -> buffer.refCnt() != 0).toList();
        allocated.clear();
        if (!live.isEmpty()) {
            throw new AssertionError(live.size() + " buffer(s) not released: " + live);
        }
    }
}
