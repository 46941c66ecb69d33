/**
 * {@code duet}, the command-line chat client, built on the SDK: {@link io.duet.client.cli.DuetCli} parses
 * commands, {@link io.duet.client.cli.Profile} keeps each terminal's session on disk, and {@link
 * io.duet.client.cli.ChatScreen} is the interactive chat with the partner's typing indicator.
 */
package io.duet.client.cli;
