/**
 * Accounts: sign-up, log-in and session tokens. Passwords are kept only as Argon2id hashes ({@link
 * io.duet.app.account.PasswordHasher}), computed on their own bounded executor because each costs tens
 * of milliseconds of CPU. Start at {@link io.duet.app.account.Accounts}.
 */
package io.duet.app.account;
