package io.duet.presentation.relay;

import io.duet.protocol.cluster.AppServerInfo;
import io.netty.channel.EventLoop;

/** What {@link RelayLink}s tell {@link AppLinks} of their connection; called on the link's event loop. */
interface LinkEvents {
    /** A connect to {@code server}'s relay endpoint was refused (see {@link RelayLink#refused}). */
    void refused(AppServerInfo server);

    /** A link to {@code server} answered HELLO. */
    void up(AppServerInfo server);

    /** A link to {@code server} that was up closed without this side closing it. */
    void lost(AppServerInfo server, EventLoop loop);
}
