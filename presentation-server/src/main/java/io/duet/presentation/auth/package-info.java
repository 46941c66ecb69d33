/**
 * Verifying session tokens without a database call: {@link io.duet.presentation.auth.Authenticator}
 * checks the signature, the expiry and the {@link io.duet.presentation.auth.Revocations} pushed by
 * application servers, and yields the principal the relay carries to application servers.
 */
package io.duet.presentation.auth;
