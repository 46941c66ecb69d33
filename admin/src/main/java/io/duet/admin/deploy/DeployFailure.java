package io.duet.admin.deploy;

/** Why a rolling deploy stopped, and the exit status that says so ({@link RollingDeployMain}). */
final class DeployFailure extends Exception {
    /** The cluster was not healthy before the deploy: nothing was restarted. */
    static final int NOT_HEALTHY = 3;
    /** A step failed (a wait timed out, a node died, the restart command failed): the deploy stopped there. */
    static final int STEP_FAILED = 4;

    private final int exitStatus;

    DeployFailure(int exitStatus, String message) {
        super(message);
        this.exitStatus = exitStatus;
    }

    /** A step failed: {@link #STEP_FAILED}. */
    static DeployFailure stepFailed(String message) {
        return new DeployFailure(STEP_FAILED, message);
    }

    int exitStatus() {
        return exitStatus;
    }
}
