/**
 * {@code duet}, the command-line chat client, built on the SDK: {@link io.duet.client.cli.DuetCli} parses
 * commands (memos and the calendar in {@link io.duet.client.cli.SpaceCommands}, photos in {@link
 * io.duet.client.cli.PhotoCommands}), {@link io.duet.client.cli.Profile} keeps each terminal's session on
 * disk, and {@link io.duet.client.cli.ChatScreen} is the interactive chat with the partner's typing indicator; start
 * reading there. The chat's parts: {@link io.duet.client.cli.ConnectionNotices} decides what to say when
 * the connection is lost and back (once each, not per attempt), {@link io.duet.client.cli.PendingLines}
 * keeps the typed lines not yet sent (for {@code /pending}, and for leaving: wait while they go out, then
 * name the ones that did not), and {@link io.duet.client.cli.LineInput} reads piped input on a thread of
 * its own so the chat can notice Ctrl-C between lines.
 */
package io.duet.client.cli;
