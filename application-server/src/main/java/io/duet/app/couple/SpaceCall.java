package io.duet.app.couple;

import io.duet.app.space.Step;

/**
 * A memo or calendar operation of one caller, run by {@link CoupleActor#space} on the couple's executor
 * once the space is loaded and the operations before it are done.
 */
@FunctionalInterface
public interface SpaceCall<T> {
    Step<T> run(SpaceContext space) throws Exception;
}
