package io.duet.client.cli;

import io.duet.client.DuetHttp;
import io.duet.protocol.api.CoupleProfile;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** The CLI's couple-profile commands (unpairing and account deletion change the profile: see {@link DuetCli}). */
final class CoupleCommands {
    static final String USAGE = String.join("\n",
            "  couple                show the couple: both partners, nicknames and the start date",
            "  nickname [NAME...]    set what you call your partner (no NAME: clear it)");
    private static final Set<String> COMMANDS = Set.of("couple", "nickname");

    private final PrintStream out;
    private final DuetHttp api;

    CoupleCommands(PrintStream out, DuetHttp api) {
        this.out = out;
        this.api = api;
    }

    static boolean handles(String command) {
        return COMMANDS.contains(command);
    }

    int run(List<String> words, String token) throws Exception {
        CoupleProfile profile = words.get(0).equals("couple") ? api.coupleProfile(token)
                : api.setNickname(token, words.size() > 1 ? String.join(" ", words.subList(1, words.size())) : null);
        print(profile);
        return 0;
    }

    private void print(CoupleProfile profile) {
        out.println("couple " + profile.getCoupleId() + (profile.isSetStartDate() ? ", together since "
                + profile.getStartDate() : ", no start date set"));
        out.println("you: " + profile.getMe().getDisplayName()
                + (profile.isSetMyNickname() ? " (your partner calls you '" + profile.getMyNickname() + "')" : ""));
        out.println("partner: " + profile.getPartner().getDisplayName()
                + (profile.isSetPartnerNickname() ? " (you call them '" + profile.getPartnerNickname() + "')" : ""));
    }
}
