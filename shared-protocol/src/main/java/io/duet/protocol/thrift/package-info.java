/**
 * Thrift serialization with Duet's limits: every decode of untrusted bytes goes through
 * {@link io.duet.protocol.thrift.ThriftCodec}, whose {@link io.duet.protocol.thrift.ThriftLimits} bound
 * the message size, string and container lengths and nesting depth far below Thrift's defaults.
 * {@link io.duet.protocol.thrift.ThriftMessages} builds and reads the call and reply messages that
 * both tiers and the client exchange; {@link io.duet.protocol.thrift.ClientApi} lists the client API's
 * services, the one list both tiers go by; {@link io.duet.protocol.thrift.MethodIds} reads and writes the
 * short method ids of TCP calls, and {@link io.duet.protocol.thrift.UuidBytes} a client message id's 16
 * bytes. Compact-protocol encodes write into a buffer their thread reuses ({@code ScratchOutput}), so that
 * an encode allocates only its result.
 *
 * <p>Thrift's generated Java drops the fields its IDL does not declare, so a server that reads a record,
 * changes it and writes it back would erase what a newer version added, in the middle of a rolling deploy.
 * Such records go through {@link io.duet.protocol.thrift.ThriftCodec#decodeKeepingUnknown} and {@link
 * io.duet.protocol.thrift.ThriftCodec#encodeKeepingUnknown}, which keep those fields, byte for byte, in an
 * {@link io.duet.protocol.thrift.UnknownFields} ({@code StructCodec} does the reading and writing).
 */
package io.duet.protocol.thrift;
