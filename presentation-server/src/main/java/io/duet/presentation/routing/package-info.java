/**
 * Where a client's stream goes: the published shard map, followed through a Curator cache
 * ({@link io.duet.presentation.routing.RoutingTable}). A paired user's streams go to the owner of the
 * couple's shard; an unpaired user's to the owner of the user's own shard; anonymous calls anywhere.
 */
package io.duet.presentation.routing;
