package io.duet.app.couple;

/**
 * A test's session of one device: takes whatever it is sent, always has credit, and ignores being moved.
 * Tests override what they record or refuse.
 */
class AcceptingSession implements SessionStream {
    private final long userId;
    private final String deviceId;

    AcceptingSession(long userId, String deviceId) {
        this.userId = userId;
        this.deviceId = deviceId;
    }

    @Override
    public long userId() {
        return userId;
    }

    @Override
    public String deviceId() {
        return deviceId;
    }

    @Override
    public void pushEvent(byte[] event) {
    }

    @Override
    public void moved(String detail) {
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean canReplay() {
        return true;
    }

    @Override
    public void whenReplayable(Runnable task) {
        task.run();
    }
}
