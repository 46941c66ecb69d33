/**
 * Asynchronous dispatch of client API calls. {@link io.duet.app.rpc.ServiceDispatcher} reads a Thrift
 * call relayed from a presentation server, checks that the caller may make it, runs the generated
 * {@code AsyncProcessFunction} against a service bound to the caller ({@link io.duet.app.rpc.CallContext}),
 * and writes the reply when the returned future completes; no thread waits. {@link
 * io.duet.app.rpc.ApiErrors} turns failures into the client's error codes.
 */
package io.duet.app.rpc;
