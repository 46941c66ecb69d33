/**
 * Concurrency building blocks private to the application server. {@link
 * io.duet.app.internal.SerialExecutor} is how a couple's state is confined to one logical thread (the
 * relay's event loops and the HBase callback threads run an idle couple's work themselves, see {@link
 * io.duet.app.internal.SerialExecutor#inlineCapable});
 * {@link io.duet.app.internal.AsyncLimiter} bounds asynchronous work shared by all couples without
 * blocking a thread.
 */
package io.duet.app.internal;
