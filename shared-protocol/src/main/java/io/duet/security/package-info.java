/**
 * The credentials a server starts with, checked before it serves anything: {@link io.duet.security.TokenSecrets}
 * reads and vets the token-signing secrets, {@link io.duet.security.RelayTls} builds the mutual-TLS contexts
 * of the relay links between the tiers, and {@link io.duet.security.SecretFiles} refuses key files others can
 * read. Every refusal is a {@link io.duet.settings.SettingsException} that names the setting and says why.
 */
package io.duet.security;
