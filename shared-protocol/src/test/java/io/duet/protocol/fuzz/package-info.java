/**
 * Fuzz tests of what Duet decodes from the network, with Jazzer ({@code FUZZING.md} at the repository root
 * says how to run them for longer). Each {@code *FuzzTest} documents its input layout and the properties it
 * checks; ordinary builds replay its regression inputs, in {@code src/test/resources} beside it.
 *
 * <p>Start with {@link io.duet.protocol.fuzz.FrameStreams}, which runs a byte stream through a decoding
 * pipeline and checks the rules every decoder here keeps. The helpers ({@code FrameStreams}, {@link
 * io.duet.protocol.fuzz.LeakCheckingAllocator}, {@link io.duet.protocol.fuzz.ThriftLimitsCheck}) are also
 * used by the servers' fuzz tests, through this module's test jar.
 */
package io.duet.protocol.fuzz;
