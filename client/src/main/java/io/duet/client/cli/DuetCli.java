package io.duet.client.cli;

import io.duet.client.DuetHttp;
import io.duet.client.DuetTls;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Invite;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MissingRange;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.api.Session;
import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.thrift.TException;
import org.apache.thrift.transport.TTransportException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * {@code duet}: sign up, log in, pair and chat from a terminal. Each profile is one user's session, so
 * two terminals with {@code --profile ann} and {@code --profile bob} are a couple.
 */
public final class DuetCli {
    /** An access token with less than this left is renewed before use. */
    private static final long RENEW_MARGIN_MILLIS = 30_000;
    /** {@code --tls}: TLS trusting the system's certificate authorities. */
    private static final String TLS_SYSTEM = "system";
    private static final String USAGE = String.join("\n",
            "usage: duet [options] <command> [arguments]",
            "",
            "commands:",
            "  signup EMAIL NAME     create an account and log in (asks for a password)",
            "  login EMAIL           log in (asks for the password)",
            "  invite                make an invite code for your partner",
            "  accept CODE           accept your partner's invite code",
            "  chat                  chat interactively; shows when your partner is typing. Lines typed",
            "                        while the connection is down wait and are sent once it is back;",
            "                        /pending lists them, /quit (or Ctrl-D, Ctrl-C) leaves",
            "  send TEXT...          send one message",
            "  history [AFTER]       print the messages after sequence number AFTER (default 0)",
            "  history --last N      print the newest N messages (paging backwards)",
            "  history --before SEQ [N]  print up to N (default 20) messages before SEQ",
            "  read [SEQ]            mark the messages up to SEQ (default: the newest) as read",
            "  unread                show your unread count and both read marks",
            MessageCommands.USAGE,
            SpaceCommands.USAGE,
            PhotoCommands.USAGE,
            CoupleCommands.USAGE,
            "  unpair                end the couple for both of you (asks for the password); its",
            "                        messages, photos, memos and calendar are deleted at once",
            "  delete-account        delete your account (asks for the password); unpairs first",
            "  whoami                show this profile's session",
            "  logout                end this device's session and forget it",
            "  logout-everywhere     end every session of the account, on every device",
            "",
            "options:",
            "  --profile NAME        whose session to use (default: $DUET_PROFILE or 'default')",
            "  --http URL            the HTTP API (default: $DUET_HTTP or http://127.0.0.1:7402)",
            "  --tcp HOST:PORT       the chat endpoint (default: $DUET_TCP or 127.0.0.1:7401)",
            "  --tls                 connect over TLS, trusting the system's certificate authorities",
            "                        (the --http URL is then https://...)",
            "  --tls-ca FILE         connect over TLS, trusting the CA certificate in FILE (PEM), such",
            "                        as a local cluster's tls/ca.pem (default: $DUET_TLS_CA)",
            "  --password PASSWORD   instead of asking (for scripts; also $DUET_PASSWORD)",
            "  --home DIR            where profiles are kept (default: ~/.duet)",
            "",
            "exit status: 0 done, 1 failed (the message says why), 2 usage error, 3 the HTTP API",
            "is unreachable, 4 the chat ended with messages that were not sent (it lists them)");

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Map<String, String> env;

    DuetCli(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(new DuetCli(System.out, System.err, System.in, System.getenv()).run(args));
    }

    int run(String[] args) {
        String profileName = env.getOrDefault("DUET_PROFILE", "default");
        String http = env.getOrDefault("DUET_HTTP", "http://127.0.0.1:7402");
        String tcp = env.getOrDefault("DUET_TCP", "127.0.0.1:7401");
        String password = env.get("DUET_PASSWORD");
        // "system", a CA file, or null: plain.
        String tls = env.get("DUET_TLS_CA");
        Path home = Path.of(env.getOrDefault("DUET_HOME", System.getProperty("user.home") + "/.duet"));
        List<String> words = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--profile":
                        profileName = value(args, ++i);
                        break;
                    case "--http":
                        http = value(args, ++i);
                        break;
                    case "--tcp":
                        tcp = value(args, ++i);
                        break;
                    case "--tls":
                        tls = TLS_SYSTEM;
                        break;
                    case "--tls-ca":
                        tls = value(args, ++i);
                        break;
                    case "--password":
                        password = value(args, ++i);
                        break;
                    case "--home":
                        home = Path.of(value(args, ++i));
                        break;
                    case "-h":
                    case "--help":
                        out.println(USAGE);
                        return 0;
                    default:
                        words.add(args[i]);
                }
            }
            if (words.isEmpty()) {
                err.println(USAGE);
                return 2;
            }
            Profile profile = Profile.load(home, profileName);
            if (words.get(0).equals("signup") || words.get(0).equals("login")) {
                profile.set("http", http);
                profile.set("tcp", tcp);
                profile.set("tls", tls);
            } else {
                http = profile.get("http") != null && !hasOption(args, "--http") ? profile.get("http") : http;
                tcp = profile.get("tcp") != null && !hasOption(args, "--tcp") ? profile.get("tcp") : tcp;
                tls = profile.get("tls") != null && !hasOption(args, "--tls") && !hasOption(args, "--tls-ca")
                        ? profile.get("tls") : tls;
            }
            DuetTls duetTls = tls == null ? null : tls.equals(TLS_SYSTEM) ? DuetTls.systemTrust() : DuetTls.trusting(Path.of(tls));
            DuetHttp api = duetTls == null ? new DuetHttp(URI.create(http), profile.deviceId())
                    : new DuetHttp(URI.create(http), profile.deviceId(), duetTls);
            return command(words, profile, api, tcp, duetTls, password);
        } catch (IllegalArgumentException e) {
            err.println("duet: " + e.getMessage());
            err.println("Try 'duet --help'.");
            return 2;
        } catch (DuetError e) {
            err.println("duet: " + e.getCode() + ": " + e.getMessage());
            return 1;
        } catch (TTransportException e) {
            err.println("duet: cannot reach the server at " + http + ": " + e.getMessage());
            return 3;
        } catch (Exception e) {
            err.println("duet: " + ChatScreen.rootMessage(e));
            return 1;
        }
    }

    private int command(List<String> words, Profile profile, DuetHttp api, String tcp, DuetTls tls, String password)
            throws Exception {
        String command = words.get(0);
        switch (command) {
            case "signup": {
                need(words, 3, "signup EMAIL NAME");
                Session session = api.signUp(words.get(1), password(password), String.join(" ", words.subList(2, words.size())));
                return loggedIn(profile, session, "Signed up");
            }
            case "login": {
                need(words, 2, "login EMAIL");
                return loggedIn(profile, api.logIn(words.get(1), password(password)), "Logged in");
            }
            case "invite": {
                Invite invite = api.createInvite(token(profile));
                out.println("Invite code: " + invite.getCode());
                out.println("Your partner runs: duet accept " + invite.getCode());
                out.println("It expires at " + Instant.ofEpochMilli(invite.getExpiresAtMillis()) + ".");
                return 0;
            }
            case "accept": {
                need(words, 2, "accept CODE");
                Session session = api.acceptInvite(token(profile), words.get(1));
                return loggedIn(profile, session, "Paired");
            }
            case "whoami":
                if (!profile.hasSession()) {
                    out.println("Not logged in.");
                    return 1;
                }
                try {
                    refreshedToken(profile, api);
                } catch (TException e) {
                    out.println("(the server is unreachable; showing what this profile last knew)");
                }
                out.println("user " + profile.get("user.id") + " (" + profile.get("name") + ")"
                        + (profile.get("couple.id") == null ? ", not paired"
                                : ", couple " + profile.get("couple.id") + " with " + profile.get("partner.name")));
                return 0;
            case "logout":
            case "logout-everywhere":
                if (profile.hasSession()) {
                    try {
                        if (command.equals("logout")) {
                            api.logOut(profile.token());
                        } else {
                            api.logOutEverywhere(refreshedToken(profile, api));
                        }
                    } catch (TException e) {
                        out.println("(the server did not confirm: " + e.getMessage() + "; forgetting the session here)");
                    }
                }
                profile.forgetSession();
                profile.save();
                out.println("Logged out.");
                return 0;
            case "unpair":
                return loggedIn(profile, api.unpair(refreshedToken(profile, api), password(password)), "Unpaired");
            case "delete-account":
                api.deleteAccount(refreshedToken(profile, api), password(password));
                profile.forgetSession();
                profile.save();
                out.println("Account deleted.");
                return 0;
            case "send": {
                need(words, 2, "send TEXT");
                String text = String.join(" ", words.subList(1, words.size()));
                long seq = api.sendMessage(refreshedToken(profile, api), UUID.randomUUID().toString(), text).getSeq();
                out.println("Sent as message " + seq + ".");
                return 0;
            }
            case "history": {
                if (words.size() > 1 && (words.get(1).equals("--last") || words.get(1).equals("--before"))) {
                    return historyBackwards(profile, api, words);
                }
                long after = words.size() > 1 ? Long.parseLong(words.get(1)) : 0;
                String token = refreshedToken(profile, api);
                HistoryPage page;
                do {
                    page = api.fetchHistory(token, after, 100);
                    printPage(profile, page);
                    // By the cursor, not the last message: a page may hold none (all lost).
                    after = page.isSetNextCursor() ? page.getNextCursor() : after;
                } while (page.isHasMore() && page.isSetNextCursor());
                return 0;
            }
            case "read": {
                ReadState state = api.markRead(refreshedToken(profile, api),
                        words.size() > 1 ? Long.parseLong(words.get(1)) : Long.MAX_VALUE);
                out.println("Read up to message " + state.getReadUpTo() + "; " + unread(state) + ".");
                return 0;
            }
            case "unread": {
                ReadState state = api.readState(refreshedToken(profile, api));
                out.println(unread(state) + " (you read up to " + state.getReadUpTo() + ", your partner up to "
                        + state.getPartnerReadUpTo() + ", newest " + state.getLatestSeq() + ").");
                return 0;
            }
            case "chat": {
                refreshedToken(profile, api);
                try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build()) {
                    return new ChatScreen(profile, address(tcp), tls, out).run(terminal, in);
                }
            }
            default:
                if (MessageCommands.handles(command)) {
                    return new MessageCommands(out, api).run(words, refreshedToken(profile, api));
                }
                if (SpaceCommands.handles(command)) {
                    return new SpaceCommands(out, api).run(words, refreshedToken(profile, api));
                }
                if (PhotoCommands.handles(command)) {
                    return new PhotoCommands(out, api).run(words, refreshedToken(profile, api));
                }
                if (CoupleCommands.handles(command)) {
                    return new CoupleCommands(out, api).run(words, refreshedToken(profile, api));
                }
                throw new IllegalArgumentException("unknown command '" + command + "'");
        }
    }

    /** history --last N (the newest N) or history --before SEQ [N] (the N before SEQ), oldest first. */
    private int historyBackwards(Profile profile, DuetHttp api, List<String> words) throws Exception {
        boolean last = words.get(1).equals("--last");
        need(words, 3, last ? "history --last N" : "history --before SEQ [N]");
        long before = last ? Long.MAX_VALUE : Long.parseLong(words.get(2));
        int wanted = last ? Integer.parseInt(words.get(2)) : words.size() > 3 ? Integer.parseInt(words.get(3)) : 20;
        if (wanted < 1) {
            throw new IllegalArgumentException("usage: duet history --last N, or --before SEQ [N] (N >= 1)");
        }
        String token = refreshedToken(profile, api);
        Deque<HistoryPage> pages = new ArrayDeque<>();
        int count = 0;
        HistoryPage page;
        do {
            page = api.fetchHistoryBefore(token, before, Math.min(100, wanted - count));
            pages.push(page);
            count += page.getMessagesSize();
            before = page.isSetNextCursor() ? page.getNextCursor() : 1;
        } while (page.isHasMore() && count < wanted);
        for (HistoryPage each : pages) {
            printPage(profile, each);
        }
        return 0;
    }

    private static String unread(ReadState state) {
        return state.getUnreadCount() + (state.isUnreadCountCapped() ? "+" : "") + " unread";
    }

    private int loggedIn(Profile profile, Session session, String what) throws Exception {
        profile.remember(session);
        profile.save();
        out.println(what + " as " + profile.get("name") + " (user " + session.getUserId() + ")"
                + (session.isSetPartner() ? ", paired with " + session.getPartner().getDisplayName() : "") + ".");
        return 0;
    }

    /**
     * A valid access token reflecting the user's couple now (the partner may have accepted since the
     * last log-in): an access token about to expire is renewed with the refresh token first.
     */
    private String refreshedToken(Profile profile, DuetHttp api) throws Exception {
        String token = token(profile);
        if (profile.refreshToken() != null
                && profile.tokenExpiresAtMillis() < System.currentTimeMillis() + RENEW_MARGIN_MILLIS) {
            Session session = api.refreshWith(profile.refreshToken());
            profile.remember(session);
            profile.save();
            token = session.getToken();
        }
        if (profile.get("couple.id") == null) {
            Session session = api.refreshSession(token);
            profile.remember(session);
            profile.save();
            token = session.getToken();
        }
        return token;
    }

    /** The page's messages, and a line for each range of lost ones, in sequence order. */
    private void printPage(Profile profile, HistoryPage page) {
        Iterator<MissingRange> lost = page.isSetMissing() ? page.getMissing().iterator() : Collections.emptyIterator();
        MissingRange nextLost = lost.hasNext() ? lost.next() : null;
        for (Message message : page.getMessages()) {
            while (nextLost != null && nextLost.getFromSeq() < message.getSeq()) {
                printLost(nextLost);
                nextLost = lost.hasNext() ? lost.next() : null;
            }
            printMessage(profile, message);
        }
        while (nextLost != null) {
            printLost(nextLost);
            nextLost = lost.hasNext() ? lost.next() : null;
        }
    }

    private void printLost(MissingRange lost) {
        out.println(lost.getFromSeq() + ".." + lost.getToSeq() + " lost: the server no longer has these messages");
    }

    private void printMessage(Profile profile, Message message) {
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());
        boolean mine = Long.toString(message.getSenderId()).equals(profile.get("user.id"));
        out.println(message.getSeq() + " [" + time.format(Instant.ofEpochMilli(message.getSentAtMillis())) + "] "
                + (mine ? "you" : profile.get("partner.name")) + ": " + MessageCommands.text(message));
    }

    private static String token(Profile profile) {
        if (!profile.hasSession()) {
            throw new IllegalArgumentException("not logged in: run 'duet signup' or 'duet login' first");
        }
        return profile.token();
    }

    private String password(String given) {
        if (given != null) {
            return given;
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("no terminal to ask for a password: use --password or $DUET_PASSWORD");
        }
        char[] typed = console.readPassword("Password: ");
        if (typed == null) {
            throw new IllegalArgumentException("no password given");
        }
        return new String(typed);
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--tcp: " + hostPort + " (expected: HOST:PORT)");
        }
        return InetSocketAddress.createUnresolved(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static void need(List<String> words, int count, String usage) {
        if (words.size() < count) {
            throw new IllegalArgumentException("usage: duet " + usage);
        }
    }

    private static boolean hasOption(String[] args, String option) {
        for (String arg : args) {
            if (arg.equals(option)) {
                return true;
            }
        }
        return false;
    }

    private static String value(String[] args, int index) {
        if (index >= args.length) {
            throw new IllegalArgumentException(args[index - 1] + " needs a value");
        }
        return args[index];
    }
}
