/**
 * Pairing two users into a couple, crash-safely. Start at {@link io.duet.app.pairing.Pairings}, whose
 * class comment gives the protocol and why no crash can leave a half-made couple. Unpairing, the way back,
 * is {@link io.duet.app.pairing.CoupleClosing}: the couple is closed for good and its data deleted.
 */
package io.duet.app.pairing;
