package io.duet.client.cli;

import io.duet.client.DuetHttp;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageConflict;
import io.duet.protocol.api.MessageKind;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The CLI's commands that send a sticker or change a sent message, over the HTTP API, and how messages show. */
final class MessageCommands {
    static final String USAGE = String.join("\n",
            "  sticker PACK ID       send the sticker ID of sticker pack PACK",
            "  edit SEQ TEXT...      replace the text of your message SEQ (a photo's caption for a photo)",
            "  delete SEQ            delete your message SEQ (a tombstone stays; a photo stays in photos)");
    private static final Set<String> COMMANDS = Set.of("sticker", "edit", "delete");

    private final PrintStream out;
    private final DuetHttp api;

    MessageCommands(PrintStream out, DuetHttp api) {
        this.out = out;
        this.api = api;
    }

    static boolean handles(String command) {
        return COMMANDS.contains(command);
    }

    /** How a chat line shows a message of any kind; a kind this client does not know shows as a placeholder. */
    static String text(Message message) {
        if (message.isDeleted()) {
            return "[deleted]";
        }
        String edited = message.isSetEditedAtMillis() ? " (edited)" : "";
        if (message.getKind() == MessageKind.PHOTO) {
            return "[photo " + message.getPhotoId() + "]"
                    + (message.getText() == null || message.getText().isEmpty() ? "" : " " + message.getText()) + edited;
        }
        if (message.getKind() == MessageKind.STICKER && message.isSetSticker()) {
            return "[sticker " + message.getSticker().getPackId() + "/" + message.getSticker().getStickerId() + "]";
        }
        if (message.getKind() != MessageKind.TEXT) {
            return "[a kind of message this version cannot show]";
        }
        return message.getText() + edited;
    }

    int run(List<String> words, String token) throws Exception {
        switch (words.get(0)) {
            case "sticker": {
                SpaceCommands.need(words, 3, "sticker PACK ID");
                long seq = api.sendSticker(token, UUID.randomUUID().toString(), words.get(1), words.get(2)).getSeq();
                out.println("Sent as message " + seq + ".");
                return 0;
            }
            case "edit": {
                SpaceCommands.need(words, 3, "edit SEQ TEXT");
                Message message = change(() -> api.editMessage(token, seq(words.get(1)),
                        String.join(" ", words.subList(2, words.size())), null));
                out.println("Edited message " + message.getSeq() + " (version " + message.getVersion() + ").");
                return 0;
            }
            case "delete": {
                SpaceCommands.need(words, 2, "delete SEQ");
                Message message = change(() -> api.deleteMessage(token, seq(words.get(1)), null));
                out.println("Deleted message " + message.getSeq() + ".");
                return 0;
            }
            default:
                throw new IllegalArgumentException("unknown command '" + words.get(0) + "'");
        }
    }

    private interface Change {
        Message run() throws Exception;
    }

    /** The CLI names no expected version, so a conflict cannot happen; reported plainly if it does. */
    private static Message change(Change change) throws Exception {
        try {
            return change.run();
        } catch (MessageConflict conflict) {
            throw new IllegalStateException("message " + conflict.getCurrent().getSeq() + " changed meanwhile (now version "
                    + conflict.getCurrent().getVersion() + ")", conflict);
        }
    }

    private static long seq(String word) {
        try {
            return Long.parseLong(word);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SEQ: a message's sequence number, not '" + word + "'");
        }
    }
}
