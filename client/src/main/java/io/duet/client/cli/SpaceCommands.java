package io.duet.client.cli;

import io.duet.client.DuetHttp;
import io.duet.protocol.api.AddEventRequest;
import io.duet.protocol.api.Calendar;
import io.duet.protocol.api.CalendarEvent;
import io.duet.protocol.api.EventKind;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.MemoConflict;
import io.duet.protocol.api.UpcomingDate;
import io.duet.protocol.api.UpcomingList;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** The CLI's memo and calendar commands, over the HTTP API. */
final class SpaceCommands {
    static final String USAGE = String.join("\n",
            "  memos                 list the couple's memos (id, version, title)",
            "  memo ID               show one memo",
            "  memo-new TITLE [TEXT...]  create a memo",
            "  memo-edit ID VERSION TEXT...  replace a memo's text, if it is still at VERSION (else it",
            "                        shows the memo as your partner left it, to edit again)",
            "  memo-delete ID VERSION  delete a memo still at VERSION",
            "  calendar              the start date, time zone, day count and events",
            "  start-date DATE [ZONE]  set the couple's start date (2024-02-29) and IANA time zone",
            "  event-add KIND DATE TITLE...  add a birthday, a custom (once) or a yearly event",
            "  event-delete ID       delete an event",
            "  upcoming [N] [DAYS]   the next N (10) anniversaries and events within DAYS (365)");
    private static final Set<String> COMMANDS = Set.of("memos", "memo", "memo-new", "memo-edit", "memo-delete",
            "calendar", "start-date", "event-add", "event-delete", "upcoming");

    private final PrintStream out;
    private final DuetHttp api;

    SpaceCommands(PrintStream out, DuetHttp api) {
        this.out = out;
        this.api = api;
    }

    static boolean handles(String command) {
        return COMMANDS.contains(command);
    }

    int run(List<String> words, String token) throws Exception {
        String command = words.get(0);
        try {
            return run(command, words, token);
        } catch (MemoConflict conflict) {
            Memo current = conflict.getCurrent();
            out.println("The memo changed since that version; nothing was written. It is now:");
            print(current, true);
            out.println("Edit it again with version " + current.getVersion() + ".");
            return 1;
        }
    }

    private int run(String command, List<String> words, String token) throws Exception {
        switch (command) {
            case "memos":
                for (Memo memo : api.listMemos(token).getMemos()) {
                    print(memo, false);
                }
                return 0;
            case "memo":
                need(words, 2, "memo ID");
                print(api.getMemo(token, Long.parseLong(words.get(1))), true);
                return 0;
            case "memo-new": {
                need(words, 2, "memo-new TITLE [TEXT...]");
                Memo memo = api.createMemo(token, words.get(1), String.join(" ", words.subList(2, words.size())));
                out.println("Created memo " + memo.getMemoId() + " (version " + memo.getVersion() + ").");
                return 0;
            }
            case "memo-edit": {
                need(words, 4, "memo-edit ID VERSION TEXT...");
                Memo memo = api.editMemo(token, Long.parseLong(words.get(1)), Long.parseLong(words.get(2)), null,
                        String.join(" ", words.subList(3, words.size())));
                out.println("Memo " + memo.getMemoId() + " is now at version " + memo.getVersion() + ".");
                return 0;
            }
            case "memo-delete":
                need(words, 3, "memo-delete ID VERSION");
                api.deleteMemo(token, Long.parseLong(words.get(1)), Long.parseLong(words.get(2)));
                out.println("Deleted memo " + words.get(1) + ".");
                return 0;
            case "calendar":
                print(api.getCalendar(token));
                return 0;
            case "start-date":
                need(words, 2, "start-date DATE [ZONE]");
                print(api.setCalendar(token, words.get(1), words.size() > 2 ? words.get(2) : null));
                return 0;
            case "event-add": {
                need(words, 4, "event-add birthday|custom|yearly DATE TITLE...");
                String kind = words.get(1);
                if (!Set.of("birthday", "custom", "yearly").contains(kind)) {
                    throw new IllegalArgumentException("event-add: KIND is birthday, custom or yearly, not '" + kind + "'");
                }
                CalendarEvent event = api.addEvent(token, new AddEventRequest(
                        kind.equals("birthday") ? EventKind.BIRTHDAY : EventKind.CUSTOM,
                        String.join(" ", words.subList(3, words.size())), words.get(2), !kind.equals("custom")));
                out.println("Added event " + event.getEventId() + ".");
                return 0;
            }
            case "event-delete":
                need(words, 2, "event-delete ID");
                api.deleteEvent(token, Long.parseLong(words.get(1)));
                out.println("Deleted event " + words.get(1) + ".");
                return 0;
            case "upcoming": {
                int limit = words.size() > 1 ? Integer.parseInt(words.get(1)) : 10;
                int days = words.size() > 2 ? Integer.parseInt(words.get(2)) : 365;
                UpcomingList upcoming = api.listUpcoming(token, limit, days);
                out.println("Today is " + upcoming.getToday() + " (" + upcoming.getTimeZone() + ").");
                for (UpcomingDate date : upcoming.getDates()) {
                    out.println(date.getDate() + "  " + (date.getDaysUntil() == 0 ? "today" : "D-" + date.getDaysUntil())
                            + "  " + date.getTitle() + (date.isSetEventId() && date.isSetYears() ? " (" + date.getYears() + ")" : ""));
                }
                if (upcoming.getDates().isEmpty()) {
                    out.println("Nothing within " + days + " days.");
                }
                return 0;
            }
            default:
                throw new IllegalArgumentException("unknown command '" + command + "'");
        }
    }

    private void print(Memo memo, boolean whole) {
        out.println(memo.getMemoId() + " v" + memo.getVersion() + "  " + memo.getTitle());
        if (whole && !memo.getText().isEmpty()) {
            out.println(memo.getText());
        }
    }

    private void print(Calendar calendar) {
        out.println("Today is " + calendar.getToday() + " (" + calendar.getTimeZone() + ").");
        if (calendar.isSetStartDate()) {
            out.println("Together since " + calendar.getStartDate()
                    + (calendar.isSetDayCount() ? ": day " + calendar.getDayCount() + " (D+" + calendar.getDayCount() + ")" : "")
                    + ".");
        } else {
            out.println("No start date yet: duet start-date YYYY-MM-DD [ZONE].");
        }
        for (CalendarEvent event : calendar.getEvents()) {
            out.println(event.getEventId() + "  " + event.getDate() + "  " + event.getTitle() + " ("
                    + event.getKind().name().toLowerCase() + (event.isRepeatsYearly() ? ", yearly" : "") + ")");
        }
    }

    static void need(List<String> words, int count, String usage) {
        if (words.size() < count) {
            throw new IllegalArgumentException("usage: duet " + usage);
        }
    }
}
