package io.duet.admin.deploy;

/** What one look at a deploy's wait saw: done, or not yet and why. */
record Seen(boolean done, String what) {
    static Seen done(String what) {
        return new Seen(true, what);
    }

    static Seen notYet(String what) {
        return new Seen(false, what);
    }

    /** One look at what a wait waits for. */
    interface Poll {
        Seen poll() throws Exception;
    }
}
