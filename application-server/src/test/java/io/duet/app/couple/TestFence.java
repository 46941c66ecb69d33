package io.duet.app.couple;

/** A fence that is always writable and ignores failures: for unit tests of one part of an actor. */
final class TestFence implements FencedWriter {
    @Override
    public long fence() {
        return 1;
    }

    @Override
    public boolean writable() {
        return true;
    }

    @Override
    public void failed(String what, Throwable cause) {
    }

    @Override
    public void ended() {
    }
}
