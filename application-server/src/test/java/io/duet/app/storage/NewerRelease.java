package io.duet.app.storage;

/** Values as a newer release would store them, for tests that this release keeps what it does not know. */
public final class NewerRelease {
    private NewerRelease() {
    }

    /**
     * {@code known}, a compact Thrift struct, with a field this release does not know (id 99, binary "x")
     * before its stop byte.
     */
    public static byte[] withUnknownField(byte[] known) {
        byte[] stored = new byte[known.length + 5];
        System.arraycopy(known, 0, stored, 0, known.length - 1);
        byte[] unknownField = {(byte) 0x08, (byte) 0xc6, 0x01, 0x01, 'x'}; // compact: binary, field 99, length 1
        System.arraycopy(unknownField, 0, stored, known.length - 1, unknownField.length);
        stored[stored.length - 1] = 0; // stop
        return stored;
    }
}
