/**
 * Where a client's stream goes, by the published shard map ({@link
 * io.duet.presentation.routing.RoutingTable}). A paired user's streams go to the owner of the couple's
 * shard; an unpaired user's to the owner of the user's own shard; anonymous calls to any server in turn.
 */
package io.duet.presentation.routing;
