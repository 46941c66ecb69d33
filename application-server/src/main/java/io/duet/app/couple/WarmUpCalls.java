package io.duet.app.couple;

/**
 * Calls into the warm-up couple through the server's own request path (a loopback relay link, the
 * dispatcher, the API), made while {@link CoupleRegistry#warmUp} serves that couple. The couple is not in
 * any shard: only these calls reach it, and only while they run.
 */
@FunctionalInterface
public interface WarmUpCalls {
    /**
     * Makes the calls and returns once every one was answered; blocks the calling thread (never an event
     * loop).
     *
     * @param coupleId the warm-up couple (negative: no client's token names it)
     * @param memberA one partner of it, the one who sends
     * @param memberB the other, subscribed to what A sends
     * @param timeoutMillis how long the calls may take in all
     * @throws Exception if a call failed or was not answered in time
     */
    void run(long coupleId, long memberA, long memberB, long timeoutMillis) throws Exception;
}
