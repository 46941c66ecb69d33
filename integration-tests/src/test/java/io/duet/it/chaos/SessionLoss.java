package io.duet.it.chaos;

import io.duet.deploy.local.FaultLink;
import io.duet.deploy.local.Node;
import io.duet.it.AdminPort;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A ZooKeeper session expiry of one application server, seen from the server's side: its ZooKeeper link
 * stays paused until the server itself declares the session LOST (Curator does so a session timeout
 * after the connection was SUSPENDED, still cut off), and from then on its couples loaded ({@code
 * duet_couples_loaded} on its admin port) must fall to 0, since a server that lost its session owns
 * nothing; cut off, it cannot rejoin and load them again. The LOST moment is the server's log line
 * ({@code ShardOwnership}: "ZooKeeper session lost: dropping every shard").
 */
final class SessionLoss {
    static final String LOST_MARK = "ZooKeeper session lost: dropping every shard";
    private static final long POLL_MILLIS = 20;

    /**
     * What was seen. {@code droppedWithinMillis} bounds the time from LOST to 0 couples from above: it is
     * counted from the last look at the log that did not show LOST yet. -1 where it was not seen.
     */
    record Outcome(int loadedBefore, long lostAfterMillis, long droppedWithinMillis, int loadedAtDeadline) {
        @Override
        public String toString() {
            return String.format("couples loaded %d before the cut; %s; %s (%d when the wait ended)", loadedBefore,
                    lostAfterMillis < 0 ? "session never LOST" : "session LOST " + lostAfterMillis + " ms into it",
                    droppedWithinMillis < 0 ? "never 0 couples after LOST"
                            : "0 couples within " + droppedWithinMillis + " ms of LOST", loadedAtDeadline);
        }
    }

    private SessionLoss() {
    }

    /**
     * Pauses {@code link} until {@code server} logs LOST (for {@code lostWithin} at most), waits up to
     * {@code dropWithin} more for its couples loaded to reach 0, then resumes the link.
     */
    static Outcome cutOffUntilLost(Node server, FaultLink link, Duration lostWithin, Duration dropWithin)
            throws Exception {
        int loadedBefore = couplesLoaded(server);
        long logOffset = Files.size(server.logFile());
        long start = System.nanoTime();
        link.pause();
        try {
            long lostDeadline = start + lostWithin.toNanos();
            long notLostYet = System.nanoTime();
            boolean lost = false;
            while (!lost && System.nanoTime() < lostDeadline) {
                long look = System.nanoTime();
                lost = logContains(server, logOffset, LOST_MARK);
                if (!lost) {
                    notLostYet = look;
                    Thread.sleep(POLL_MILLIS);
                }
            }
            if (!lost) {
                return new Outcome(loadedBefore, -1, -1, couplesLoaded(server));
            }
            long lostAfter = TimeUnit.NANOSECONDS.toMillis(notLostYet - start);
            long dropDeadline = System.nanoTime() + dropWithin.toNanos();
            int loaded = couplesLoaded(server);
            while (loaded != 0 && System.nanoTime() < dropDeadline) {
                Thread.sleep(POLL_MILLIS);
                loaded = couplesLoaded(server);
            }
            long dropped = loaded == 0 ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - notLostYet) : -1;
            return new Outcome(loadedBefore, lostAfter, dropped, loaded);
        } finally {
            link.resume();
        }
    }

    private static int couplesLoaded(Node server) throws IOException, InterruptedException {
        return (int) AdminPort.sample(AdminPort.scrape(server), "duet_couples_loaded")
                .orElseThrow(() -> new IOException(server + " exports no duet_couples_loaded"));
    }

    /** Whether the log, from {@code offset} on, has a line containing {@code mark}. */
    private static boolean logContains(Node server, long offset, String mark) throws IOException {
        try (SeekableByteChannel log = Files.newByteChannel(server.logFile())) {
            log.position(offset);
            ByteBuffer rest = ByteBuffer.allocate((int) Math.max(0, log.size() - offset));
            // What was there when it was sized; later lines are for the next look.
            int read;
            do {
                read = log.read(rest);
            } while (read > 0 && rest.hasRemaining());
            return new String(rest.array(), 0, rest.position(), StandardCharsets.UTF_8).contains(mark);
        }
    }
}
