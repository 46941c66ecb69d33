package io.duet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AddressRangesTest {
    private static boolean in(AddressRanges ranges, String address) {
        return ranges.contains(AddressRanges.literal(address));
    }

    @Test
    void singleAddressesAndCidrRangesMatch() {
        AddressRanges ranges = AddressRanges.parse(List.of("10.0.0.7", " 172.16.0.0/12 ", "", "2001:db8::/64",
                "192.168.1.128/25"));
        assertThat(in(ranges, "10.0.0.7")).isTrue();
        assertThat(in(ranges, "10.0.0.8")).isFalse();
        assertThat(in(ranges, "172.31.255.255")).isTrue();
        assertThat(in(ranges, "172.32.0.0")).isFalse();
        assertThat(in(ranges, "192.168.1.200")).isTrue();
        assertThat(in(ranges, "192.168.1.127")).isFalse();
        assertThat(in(ranges, "2001:db8::1:2:3:4")).isTrue();
        assertThat(in(ranges, "2001:db8:0:1::1")).isFalse();
        assertThat(in(ranges, "::ffff:10.0.0.7")).as("IPv4-mapped").isTrue();
        assertThat(ranges.contains(null)).isFalse();
    }

    @Test
    void zeroPrefixMatchesEveryAddressOfItsFamily() {
        AddressRanges all = AddressRanges.parse(List.of("0.0.0.0/0"));
        assertThat(in(all, "203.0.113.9")).isTrue();
        assertThat(in(all, "2001:db8::1")).isFalse();
        assertThat(AddressRanges.none().isEmpty()).isTrue();
        assertThat(in(AddressRanges.none(), "127.0.0.1")).isFalse();
    }

    @Test
    void bothOfTwoSetsMatch() {
        AddressRanges both = AddressRanges.parse(List.of("10.0.0.0/8")).and(AddressRanges.parse(List.of("192.0.2.1")));
        assertThat(in(both, "10.1.2.3")).isTrue();
        assertThat(in(both, "192.0.2.1")).isTrue();
        assertThat(in(both, "192.0.2.2")).isFalse();
        assertThat(both).hasToString("[10.0.0.0/8, 192.0.2.1]");
    }

    @Test
    void hostNamesAndBadPrefixesAreRefusedNotLookedUp() {
        assertThatThrownBy(() -> AddressRanges.parse(List.of("localhost"))).hasMessageContaining("localhost");
        assertThatThrownBy(() -> AddressRanges.parse(List.of("10.0.0.0/33"))).hasMessageContaining("prefix");
        assertThatThrownBy(() -> AddressRanges.parse(List.of("10.0.0.0/x"))).hasMessageContaining("prefix");
        assertThat(AddressRanges.literal("example.com")).isNull();
        assertThat(AddressRanges.literal("[2001:db8::1]")).isNotNull();
    }
}
