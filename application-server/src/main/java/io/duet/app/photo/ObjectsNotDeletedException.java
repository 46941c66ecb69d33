package io.duet.app.photo;

import java.util.Map;

/** Some objects were still not deleted after {@link BatchDeletes}' retries: which, and why. */
final class ObjectsNotDeletedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** How many failed keys the message names. */
    private static final int NAMED = 5;

    private final transient Map<String, String> failed;

    ObjectsNotDeletedException(Map<String, String> failed, int of) {
        super(failed.size() + " of " + of + " objects not deleted, for example " + failed.entrySet().stream().limit(NAMED)
                .map(entry -> entry.getKey() + " (" + entry.getValue() + ")").toList());
        this.failed = Map.copyOf(failed);
    }

    /** Each key not deleted, with the last reason. */
    Map<String, String> failed() {
        return failed;
    }
}
