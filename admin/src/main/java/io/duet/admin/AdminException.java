package io.duet.admin;

/** A failure the tool reports as one message and an exit code ({@link DuetAdmin} lists them). */
final class AdminException extends Exception {
    static final int USAGE = 1;
    static final int UNREACHABLE = 2;
    static final int REFUSED = 3;
    static final int NOT_REFLECTED = 4;

    private final int exitCode;

    private AdminException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Bad arguments: the usage text follows the message. */
    static AdminException usage(String message) {
        return new AdminException(USAGE, message, null);
    }

    /** ZooKeeper or HBase did not answer in time. */
    static AdminException unreachable(String message, Throwable cause) {
        return new AdminException(UNREACHABLE, message, cause);
    }

    /** Something named does not exist (a server, a shard, a user, the cluster), or a request is refused. */
    static AdminException refused(String message) {
        return new AdminException(REFUSED, message, null);
    }

    /** A request was written, but no published shard map reflected it in time. */
    static AdminException notReflected(String message) {
        return new AdminException(NOT_REFLECTED, message, null);
    }

    int exitCode() {
        return exitCode;
    }
}
