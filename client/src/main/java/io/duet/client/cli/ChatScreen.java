package io.duet.client.cli;

import io.duet.client.ConnectionState;
import io.duet.client.DuetClient;
import io.duet.client.DuetClientBuilder;
import io.duet.client.DuetTls;
import io.duet.client.DuetListener;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.UserProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingReader;
import org.jline.utils.Signals;

/**
 * The interactive chat. On a terminal it reads keystrokes in raw mode, so it can tell the partner when
 * this user is typing (and stops telling a few seconds after the last keystroke), and shows the
 * partner's typing in the prompt; messages print above the line being typed. Without a terminal (a
 * pipe, a script) it sends each input line and prints what arrives.
 *
 * <p>Lines typed while the connection is down wait and go out once it is back: the chat says so once
 * when it is lost and once when it is back ({@link ConnectionNotices}), shows the count in the prompt,
 * and {@code /pending} lists them ({@link PendingLines}). A line that fails for good is reported once,
 * with the reason. Leaving ({@code /quit}, the end of input, Ctrl-D, Ctrl-C) waits for the lines still
 * pending while they make progress, then names the ones that were not sent: {@link #run} returns
 * {@link #EXIT_UNSENT} for that, 0 when everything was sent.
 */
final class ChatScreen implements DuetListener {
    /** The chat's exit status when it ended with typed lines that were not sent. */
    static final int EXIT_UNSENT = 4;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());
    private static final long TYPING_REFRESH_MILLIS = 4000;
    private static final long TYPING_IDLE_MILLIS = 3000;
    private static final int CONTEXT_MESSAGES = 10;
    /** How long the chat waits for its first connection before it lets the user type anyway. */
    private static final Duration FIRST_CONNECT = Duration.ofSeconds(10);
    /** Leaving, how long to wait for pending lines while none goes out, and in all. */
    private static final Duration LEAVE_IDLE = Duration.ofSeconds(3);
    private static final Duration LEAVE_CAP = Duration.ofSeconds(30);
    /** How often the input loops look for a request to quit. */
    private static final Duration POLL = Duration.ofMillis(200);
    /** A chat's reconnects: quick at first, and never more than a few seconds apart for a waiting user. */
    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final Profile profile;
    private final InetSocketAddress server;
    private final DuetTls tls;
    private final PrintStream out;
    private final Object screen = new Object();
    private final StringBuilder line = new StringBuilder();
    private final ConnectionNotices notices = new ConnectionNotices(System::currentTimeMillis);
    private final PendingLines pending = new PendingLines();
    /** Ctrl-C presses (SIGINT): the first asks to leave, a second to stop waiting for pending lines. */
    private final AtomicInteger interrupts = new AtomicInteger();
    private volatile boolean partnerTyping;
    private volatile boolean interactive;
    /** Set once the chat closes the session: the sends it fails are reported together, by leave(). */
    private volatile boolean leaving;
    private DuetClient client;
    private boolean typing;
    private long lastKeystroke;
    private long lastTypingSent;

    /** @param tls null: plain TCP */
    ChatScreen(Profile profile, InetSocketAddress server, DuetTls tls, PrintStream out) {
        this.profile = profile;
        this.server = server;
        this.tls = tls;
        this.out = out;
    }

    /**
     * Runs until Ctrl-C, Ctrl-D, /quit, or the end of input; returns the exit status: 0, 1 when the chat
     * could not start, or {@link #EXIT_UNSENT}.
     */
    int run(Terminal terminal, InputStream in) throws Exception {
        long lastSeq = profile.getLong("last.seq");
        interactive = terminal != null && !Terminal.TYPE_DUMB.equals(terminal.getType())
                && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
        DuetClientBuilder builder = DuetClient.builder()
                .server(server)
                .token(profile::token)
                .resumeAfter(Math.max(0, lastSeq - CONTEXT_MESSAGES))
                .reconnectBackoff(MIN_BACKOFF, MAX_BACKOFF)
                .listener(this);
        if (profile.refreshToken() != null) {
            builder.refreshToken(profile.refreshToken());
        }
        if (tls != null) {
            builder.tls(tls);
        }
        client = builder.build();
        Object previousInterruptHandler = Signals.register("INT", this::interrupted);
        try {
            if (!awaitFirstConnect()) {
                return 1;
            }
            if (client.coupleId() == 0 && profile.get("couple.id") == null) {
                print("You are not paired yet. In another terminal: 'duet invite', or 'duet accept CODE'. Waiting...");
            } else {
                print("Chatting with " + partnerName() + ". Type and press Enter; /pending lists what is not sent"
                        + " yet; Ctrl-D or /quit to leave.");
            }
            if (interactive) {
                readKeys(terminal);
            } else {
                readLines(in);
            }
            return leave();
        } finally {
            Signals.unregister("INT", previousInterruptHandler);
            leaving = true;
            client.close();
            profile.set("last.seq", Long.toString(Math.max(client.lastSeq(), lastSeq)));
            profile.save();
        }
    }

    /**
     * Waits for the first connection, for a while: if the server cannot be reached yet, the user may
     * type anyway (the lines wait). False when the session was refused; true also when the user quit
     * meanwhile (the input loop then leaves at once).
     */
    private boolean awaitFirstConnect() throws InterruptedException {
        CompletableFuture<Void> connected = client.connect();
        long deadline = System.nanoTime() + FIRST_CONNECT.toNanos();
        while (interrupts.get() == 0) {
            try {
                connected.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (ExecutionException e) {
                out.println("Cannot start the chat: " + rootMessage(e));
                return false;
            } catch (TimeoutException e) {
                if (notices.isDown()) {
                    return true; // the first attempt failed, and the user was told; the lines can wait
                }
                if (System.nanoTime() > deadline) {
                    print("(not connected yet; what you type waits, and is sent once the server is back)");
                    return true;
                }
            }
        }
        return true;
    }

    /** Ctrl-C (SIGINT, on a thread of its own): leave; pressed again while leaving, leave now. */
    private void interrupted() {
        if (interrupts.incrementAndGet() > 1) {
            pending.stopWaiting();
        }
    }

    private boolean quitRequested() {
        return interrupts.get() > 0;
    }

    private void readKeys(Terminal terminal) throws IOException {
        Attributes saved = terminal.enterRawMode();
        NonBlockingReader reader = terminal.reader();
        try {
            redraw();
            while (!quitRequested()) {
                int c = reader.read(POLL.toMillis());
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
            synchronized (screen) {
                interactive = false; // the terminal is back to lines: no prompt from here on
                terminal.setAttributes(saved);
                out.print("\r\033[K");
                out.flush();
            }
        }
    }

    private void readLines(InputStream in) throws InterruptedException {
        LineInput input = LineInput.start(in);
        while (!quitRequested()) {
            String text = input.poll(POLL);
            if (text != null) {
                if (!handle(text)) {
                    return;
                }
            } else if (input.atEnd()) {
                if (!input.endReason().isEmpty()) {
                    print("(" + input.endReason() + ")");
                }
                return;
            }
        }
    }

    /**
     * Leaving: waits for the pending lines while they go out (at most {@link #LEAVE_CAP}; a second
     * Ctrl-C stops waiting), closes the session, and reports the lines that were not sent.
     */
    private int leave() throws InterruptedException {
        int waiting = pending.count();
        if (waiting > 0) {
            print("(sending " + ConnectionNotices.messages(waiting) + " before leaving; Ctrl-C to leave now)");
            pending.awaitSettled(LEAVE_IDLE, LEAVE_CAP);
        }
        leaving = true;
        // Fails the sends still pending; they stay in `pending` (see send) and are reported together.
        client.close();
        String unsent = pending.unsentReport();
        if (unsent.isEmpty()) {
            return 0;
        }
        out.println(unsent);
        out.flush();
        return EXIT_UNSENT;
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
        return handle(text);
    }

    /** One line of input: a command, or a message to send. False when the user asked to leave. */
    private boolean handle(String text) {
        switch (text.trim()) {
            case "/quit":
                return false;
            case "/pending":
                print(pending.describe());
                return true;
            default:
                if (!text.isBlank()) {
                    send(text);
                }
                return true;
        }
    }

    private void send(String text) {
        long id = pending.add(text);
        client.send(text).whenComplete((result, failure) -> {
            if (failure == null) {
                pending.settle(id);
            } else if (!leaving) {
                print("(not sent: " + rootMessage(failure) + ": " + PendingLines.quote(text) + ")");
                pending.settle(id);
            }
            // Failed by the close when leaving: it stays pending, and leave() reports it with the others.
        });
        synchronized (screen) {
            redraw();
        }
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
                + (mine ? "you" : partnerName()) + ": " + MessageCommands.text(message));
    }

    @Override
    public void onMessageChanged(Message message) {
        boolean mine = Long.toString(message.getSenderId()).equals(profile.get("user.id"));
        print("(" + (mine ? "you" : partnerName()) + " " + (message.isDeleted() ? "deleted" : "edited") + " message "
                + message.getSeq() + (message.isDeleted() ? "" : ": " + MessageCommands.text(message)) + ")");
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
        boolean wasPaired = profile.get("couple.id") != null;
        profile.remember(session);
        try {
            profile.save();
        } catch (IOException e) {
            print("(cannot save the session: " + e.getMessage() + ")");
        }
        if (wasPaired) {
            // A renewal of the access token: nothing to tell.
            return;
        }
        print("Chatting with " + partnerName() + ".");
    }

    @Override
    public void onConnectionChanged(ConnectionState state, String detail) {
        if (leaving) {
            return;
        }
        notices.stateChanged(state, detail, client.pendingSends()).ifPresentOrElse(this::print, () -> {
            synchronized (screen) {
                redraw();
            }
        });
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
        String status = (notices.isDown() ? "(reconnecting; " + client.pendingSends() + " waiting) " : "")
                + (partnerTyping ? "(" + partnerName() + " is typing...) " : "");
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
        if (cause instanceof TimeoutException) {
            return "timed out";
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}
