/**
 * Session tokens that any server can verify without a database call: signed {@code TokenClaims}
 * (user, couple, device, expiry). Application servers issue them at log-in, sign-up and pairing;
 * presentation servers verify them on every connection and HTTP request. Start at
 * {@link io.duet.protocol.token.TokenCodec}.
 */
package io.duet.protocol.token;
