/**
 * Thrift serialization with Duet's limits: every decode of untrusted bytes goes through
 * {@link io.duet.protocol.thrift.ThriftCodec}, whose {@link io.duet.protocol.thrift.ThriftLimits} bound
 * the message size, string and container lengths and nesting depth far below Thrift's defaults.
 * {@link io.duet.protocol.thrift.ThriftMessages} builds and reads the call and reply messages that
 * both tiers and the client exchange.
 */
package io.duet.protocol.thrift;
