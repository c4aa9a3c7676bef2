/**
 * Modes of everything the desk writes into its data folder (database, blobs, keys, logs): owner-only
 * on Linux and macOS (docs/operations.md, "Data at rest"). Windows ignores them and relies on the ACL
 * of the user's profile.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
