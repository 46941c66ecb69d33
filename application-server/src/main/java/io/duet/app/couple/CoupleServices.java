package io.duet.app.couple;

import io.duet.app.storage.CoupleStore;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every couple actor of a server shares: the couples' storage and limits, catch-up reads, timers and
 * clock, where offline recipients' messages go, the archive moves the couples take turns in, the fan-out lag
 * timer and the bounds of long polls. Made once per server ({@link #builder}); a couple's own state is its
 * {@link CoupleActor}'s.
 */
public final class CoupleServices {
    final CoupleStore store;
    final CoupleLimits limits;
    final CatchUpReads catchUpReads;
    final ScheduledExecutorService timers;
    final Clock clock;
    final OfflineNotifier offline;
    final ArchiveMoves moves;
    final Timer fanOutLag;
    final LongPolls longPolls;

    private CoupleServices(Builder builder) {
        this.store = builder.store;
        this.limits = builder.limits;
        this.catchUpReads = builder.catchUpReads;
        this.timers = builder.timers;
        this.clock = builder.clock;
        this.offline = builder.offline;
        this.moves = builder.archive == null ? ArchiveMoves.NONE : new ArchiveMoves(builder.archive, timers);
        this.fanOutLag = builder.fanOutLag;
        this.longPolls = builder.longPolls;
    }

    /** Starts from no offline notices, no archive moves, no fan-out meter and the default long-poll bounds. */
    public static Builder builder(CoupleStore store, CoupleLimits limits, CatchUpReads catchUpReads,
            ScheduledExecutorService timers) {
        return new Builder(store, limits, catchUpReads, timers);
    }

    /** The same storage, limits and timers, with nothing else: for couples that are not the server's (warm-up). */
    CoupleServices bare() {
        return builder(store, limits, catchUpReads, timers).clock(clock).build();
    }

    /** Mutable; {@link #build()} makes the services (and starts the archive moves, if any). */
    public static final class Builder {
        private final CoupleStore store;
        private final CoupleLimits limits;
        private final CatchUpReads catchUpReads;
        private final ScheduledExecutorService timers;
        private Clock clock = Clock.systemUTC();
        private OfflineNotifier offline = OfflineNotifier.NONE;
        private ArchiveSettings archive;
        private Timer fanOutLag = Delivery.UNMEASURED;
        private LongPolls longPolls = LongPolls.defaults();

        private Builder(CoupleStore store, CoupleLimits limits, CatchUpReads catchUpReads,
                ScheduledExecutorService timers) {
            this.store = Objects.requireNonNull(store, "store");
            this.limits = Objects.requireNonNull(limits, "limits");
            this.catchUpReads = Objects.requireNonNull(catchUpReads, "catchUpReads");
            this.timers = Objects.requireNonNull(timers, "timers");
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Told of messages whose recipient has no session attached (to push them; {@link OfflineNotifier}). */
        public Builder offline(OfflineNotifier offline) {
            this.offline = Objects.requireNonNull(offline, "offline");
            return this;
        }

        /** How the couples' old messages move to the archive ({@link ArchiveMoves}); none without. */
        public Builder archive(ArchiveSettings archive) {
            this.archive = Objects.requireNonNull(archive, "archive");
            return this;
        }

        /** Where the couples time their events' fan-out, stage committed-to-relay ({@link Delivery}). */
        public Builder fanOutLag(Timer fanOutLag) {
            this.fanOutLag = Objects.requireNonNull(fanOutLag, "fanOutLag");
            return this;
        }

        /** The bounds of the long polls and event feeds of the couples ({@link LongPolls}). */
        public Builder longPolls(LongPolls longPolls) {
            this.longPolls = Objects.requireNonNull(longPolls, "longPolls");
            return this;
        }

        public CoupleServices build() {
            return new CoupleServices(this);
        }
    }
}
