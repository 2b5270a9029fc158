/**
 * Undoers: how a platform reverses what it journalled, by platform kind. `golive recover` looks them up
 * here instead of importing platforms; the platform registry provides them (loaded lazily).
 */

/** Reverses one journalled change from its payload; resolves with what was done, in words. */
type Undoer = (payload: unknown) => Promise<string>;

export type Undoers = Readonly<Record<string, Undoer>>;
