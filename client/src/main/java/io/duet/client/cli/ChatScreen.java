package io.duet.client.cli;

import io.duet.client.ConnectionState;
import io.duet.client.DuetClient;
import io.duet.client.DuetListener;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.UserProfile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingReader;

/**
 * The interactive chat. On a terminal it reads keystrokes in raw mode, so it can tell the partner when
 * this user is typing (and stops telling a few seconds after the last keystroke), and shows the
 * partner's typing in the prompt; messages print above the line being typed. Without a terminal (a
 * pipe, a script) it sends each input line and prints what arrives.
 */
final class ChatScreen implements DuetListener {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());
    private static final long TYPING_REFRESH_MILLIS = 4000;
    private static final long TYPING_IDLE_MILLIS = 3000;
    private static final int CONTEXT_MESSAGES = 10;

    private final Profile profile;
    private final InetSocketAddress server;
    private final PrintStream out;
    private final Object screen = new Object();
    private final StringBuilder line = new StringBuilder();
    private volatile boolean partnerTyping;
    private volatile boolean interactive;
    private DuetClient client;
    private boolean typing;
    private long lastKeystroke;
    private long lastTypingSent;

    ChatScreen(Profile profile, InetSocketAddress server, PrintStream out) {
        this.profile = profile;
        this.server = server;
        this.out = out;
    }

    /** Runs until Ctrl-C, Ctrl-D, /quit, or the end of input. */
    int run(Terminal terminal, InputStream in) throws Exception {
        long lastSeq = profile.getLong("last.seq");
        interactive = terminal != null && !Terminal.TYPE_DUMB.equals(terminal.getType())
                && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
        client = DuetClient.builder()
                .server(server)
                .token(profile::token)
                .resumeAfter(Math.max(0, lastSeq - CONTEXT_MESSAGES))
                .listener(this)
                .build();
        try {
            client.connect().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            out.println("Cannot start the chat: " + rootMessage(e));
            client.close();
            return 1;
        }
        if (client.coupleId() == 0) {
            print("You are not paired yet. In another terminal: 'duet invite', or 'duet accept CODE'. Waiting...");
        } else {
            print("Chatting with " + partnerName() + ". Type and press Enter; Ctrl-D or /quit to leave.");
        }
        try {
            if (interactive) {
                readKeys(terminal);
            } else {
                readLines(in);
            }
        } finally {
            profile.set("last.seq", Long.toString(Math.max(client.lastSeq(), lastSeq)));
            profile.save();
            client.close();
        }
        return 0;
    }

    private void readKeys(Terminal terminal) throws IOException {
        Attributes saved = terminal.enterRawMode();
        NonBlockingReader reader = terminal.reader();
        try {
            redraw();
            while (true) {
                int c = reader.read(200);
                long now = System.currentTimeMillis();
                if (c == NonBlockingReader.READ_EXPIRED) {
                    stopTypingIfIdle(now);
                    continue;
                }
                if (c < 0 || c == 3 || (c == 4 && line.length() == 0)) {
                    break;
                }
                if (c == '\r' || c == '\n') {
                    if (!submit()) {
                        break;
                    }
                } else if (c == 127 || c == 8) {
                    synchronized (screen) {
                        if (line.length() > 0) {
                            line.setLength(line.length() - 1);
                        }
                        redraw();
                    }
                } else if (c == 27) {
                    reader.read(20);
                    reader.read(20);
                } else if (c >= 32) {
                    synchronized (screen) {
                        line.append((char) c);
                        redraw();
                    }
                    keystroke(now);
                }
            }
        } finally {
            terminal.setAttributes(saved);
            out.print("\r\n");
            out.flush();
        }
    }

    private void readLines(InputStream in) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        List<CompletableFuture<?>> sends = new ArrayList<>();
        String input;
        while ((input = reader.readLine()) != null) {
            if (input.equals("/quit")) {
                break;
            }
            if (!input.isBlank()) {
                sends.add(send(input));
            }
        }
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).handle((v, e) -> null).get(30, TimeUnit.SECONDS);
    }

    /** Sends the typed line; false when the user asked to leave. */
    private boolean submit() {
        String text;
        synchronized (screen) {
            text = line.toString();
            line.setLength(0);
            redraw();
        }
        typing = false;
        if (text.trim().equals("/quit")) {
            return false;
        }
        if (!text.isBlank()) {
            send(text);
        }
        return true;
    }

    private CompletableFuture<?> send(String text) {
        return client.send(text).whenComplete((result, failure) -> {
            if (failure != null) {
                print("(not sent: " + rootMessage(failure) + ")");
            }
        });
    }

    private void keystroke(long now) {
        lastKeystroke = now;
        if (!typing || now - lastTypingSent > TYPING_REFRESH_MILLIS) {
            typing = true;
            lastTypingSent = now;
            client.setTyping(true);
        }
    }

    private void stopTypingIfIdle(long now) {
        if (typing && now - lastKeystroke > TYPING_IDLE_MILLIS) {
            typing = false;
            client.setTyping(false);
        }
    }

    // ---- events from the SDK ---------------------------------------------------------------------

    @Override
    public void onMessage(Message message) {
        boolean mine = Long.toString(message.getSenderId()).equals(profile.get("user.id"));
        print("[" + TIME.format(Instant.ofEpochMilli(message.getSentAtMillis())) + "] "
                + (mine ? "you" : partnerName()) + ": " + message.getText());
    }

    @Override
    public void onPartnerTyping(boolean typing) {
        partnerTyping = typing;
        synchronized (screen) {
            redraw();
        }
    }

    @Override
    public void onPartnerJoined(long coupleId, UserProfile partner) {
        print("(" + partner.getDisplayName() + " accepted your invite!)");
    }

    @Override
    public void onSessionRefreshed(Session session) {
        profile.remember(session);
        try {
            profile.save();
        } catch (IOException e) {
            print("(cannot save the session: " + e.getMessage() + ")");
        }
        print("Chatting with " + partnerName() + ".");
    }

    @Override
    public void onConnectionChanged(ConnectionState state, String detail) {
        if (state == ConnectionState.DISCONNECTED) {
            print("(connection lost: " + detail + "; reconnecting)");
        }
    }

    @Override
    public void onSessionRejected(SessionErrorCode code, String message) {
        print("(the server refused the session: " + code + " " + message + "; run 'duet login')");
    }

    private String partnerName() {
        String name = profile.get("partner.name");
        return name == null || name.isEmpty() ? "partner" : name;
    }

    /** Prints a line above the one being typed. */
    private void print(String text) {
        synchronized (screen) {
            if (!interactive) {
                out.println(text);
                return;
            }
            out.print("\r\033[K" + text + "\r\n");
            redraw();
        }
    }

    private void redraw() {
        if (!interactive) {
            return;
        }
        String status = partnerTyping ? "(" + partnerName() + " is typing...) " : "";
        out.print("\r\033[K" + status + "> " + line);
        out.flush();
    }

    static String rootMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof DuetError)) {
            cause = cause.getCause();
        }
        if (cause instanceof DuetError) {
            return ((DuetError) cause).getCode() + ": " + ((DuetError) cause).getMessage();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}
