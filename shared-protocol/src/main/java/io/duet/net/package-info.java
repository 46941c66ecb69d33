/**
 * Network addresses in settings: {@link io.duet.net.AddressRanges} parses lists of addresses and CIDR
 * ranges (exempt addresses, trusted proxies) and tells whether an address is in one.
 */
package io.duet.net;
