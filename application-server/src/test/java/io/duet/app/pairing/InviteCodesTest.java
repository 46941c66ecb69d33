package io.duet.app.pairing;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InviteCodesTest {
    @Test
    void codesHaveTwelveCharactersOfTheAlphabetShownInThreeGroups() {
        SecureRandom random = new SecureRandom();
        Set<Character> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            String code = InviteCodes.generate(random);
            assertThat(code).hasSize(12).matches("[" + InviteCodes.ALPHABET + "]{12}");
            code.chars().forEach(c -> seen.add((char) c));
            String shown = InviteCodes.display(code);
            assertThat(shown).hasSize(14).matches("[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}");
            assertThat(InviteCodes.normalize(shown)).isEqualTo(code);
        }
        assertThat(seen).hasSize(InviteCodes.ALPHABET.length());
    }

    @Test
    void displayGroupsEveryFourCharacters() {
        assertThat(InviteCodes.display("ABCDEFGHJKMN")).isEqualTo("ABCD-EFGH-JKMN");
        assertThat(InviteCodes.display("ABCDEFGH")).isEqualTo("ABCD-EFGH");
    }

    @Test
    void caseSpacesAndDashesDoNotMatter() {
        assertThat(InviteCodes.normalize("abcd-efgh-jkmn")).isEqualTo("ABCDEFGHJKMN");
        assertThat(InviteCodes.normalize(" abcd efgh jkmn ")).isEqualTo("ABCDEFGHJKMN");
        assertThat(InviteCodes.normalize("ABCDEFGHJKMN")).isEqualTo("ABCDEFGHJKMN");
        assertThat(InviteCodes.normalize("ab-cdef-ghjk-mn")).isEqualTo("ABCDEFGHJKMN");
    }

    @Test
    void eightCharacterCodesMadeBeforeStillNormalize() {
        assertThat(InviteCodes.normalize("jmy5-pp8v")).isEqualTo("JMY5PP8V");
        assertThat(InviteCodes.normalize("JMY5PP8V")).isEqualTo("JMY5PP8V");
    }

    @Test
    void otherLengthsAndLookAlikesAreNotCodes() {
        assertThat(InviteCodes.normalize(null)).isNull();
        assertThat(InviteCodes.normalize("")).isNull();
        assertThat(InviteCodes.normalize("ABCD-EFG")).isNull();
        assertThat(InviteCodes.normalize("ABCD-EFGH-J")).isNull();
        assertThat(InviteCodes.normalize("ABCD-EFGH-JKM")).isNull();
        assertThat(InviteCodes.normalize("ABCD-EFGH-JKMN-P")).isNull();
        assertThat(InviteCodes.normalize("ABCD-EFGH-JKM0")).isNull();
        assertThat(InviteCodes.normalize("ABCD-EFGH-JKMU")).isNull();
        assertThat(InviteCodes.normalize("ABCD-EFGH-JKM!")).isNull();
        assertThat(InviteCodes.normalize("ABCD-EFGH-JKMN" + " ".repeat(19))).isNull();
    }
}
