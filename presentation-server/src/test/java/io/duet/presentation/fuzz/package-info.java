/**
 * Fuzz tests of what the presentation server decodes from clients; see {@code io.duet.protocol.fuzz} in
 * shared-protocol for the helpers and {@code FUZZING.md} for how to run them for longer.
 */
package io.duet.presentation.fuzz;
