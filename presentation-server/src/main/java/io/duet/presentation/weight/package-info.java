/**
 * How much room a presentation server has for new connections, told to the load balancer: a weight from
 * its sessions (against {@code weight.capacity}) and its smoothed CPU load, with a floor, or {@code drain}
 * while it drains. Start at {@link io.duet.presentation.weight.Weights}, the pure arithmetic; {@link
 * io.duet.presentation.weight.AgentCheckServer} answers HAProxy's agent check with it, {@link
 * io.duet.presentation.weight.CpuLoad} samples the CPU off the event loops, and {@link
 * io.duet.presentation.weight.WeightSettings} holds the keys.
 */
package io.duet.presentation.weight;
