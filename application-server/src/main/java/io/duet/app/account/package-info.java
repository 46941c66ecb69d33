/**
 * Accounts: sign-up, log-in, and sessions that end: short access tokens ({@link
 * io.duet.app.account.SessionIssuer}) for device sessions whose single-use refresh tokens, log-outs and
 * revocations are {@link io.duet.app.account.DeviceSessions}. Passwords are kept only as Argon2id hashes ({@link
 * io.duet.app.account.PasswordHasher}), computed on their own bounded executor because each costs tens
 * of milliseconds of CPU; a new password must first pass {@link io.duet.app.account.PasswordPolicy} (not
 * common, not easy to guess), checked on the same executor. {@link io.duet.app.account.Accounts#vouch} checks a token against the stored
 * account before account and pairing calls change anything. {@link io.duet.app.account.AccountDeletion}
 * deletes an account and unpairs its couple. Start at {@link io.duet.app.account.Accounts}.
 */
package io.duet.app.account;
