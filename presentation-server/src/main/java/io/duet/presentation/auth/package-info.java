/**
 * Verifying session tokens without a database call: {@link io.duet.presentation.auth.Authenticator}
 * checks the signature and expiry and yields the principal the relay carries to application servers.
 */
package io.duet.presentation.auth;
