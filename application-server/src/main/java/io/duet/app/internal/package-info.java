/**
 * Concurrency building blocks private to the application server. {@link
 * io.duet.app.internal.SerialExecutor} is how a couple's state is confined to one logical thread.
 */
package io.duet.app.internal;
