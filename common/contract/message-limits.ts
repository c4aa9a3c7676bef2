/**
 * Sizes of one RPC message, the same over the browser's WebSocket and Electron's MessagePort
 * (docs/architecture.md, "Limits before login and on personal text"). `main/core/rpc-server.ts`
 * holds the WebSocket's copies (`MAX_WS_*`); a test keeps them equal.
 */
export const MESSAGE_LIMITS = {
  /** Before sign-in: a login or a resume is a few hundred bytes. */
  beforeSignInBytes: 1024 * 1024,
  /** Signed in: file imports travel as base64 inside one message. */
  signedInBytes: 64 * 1024 * 1024,
  /** Room left in a message for everything around one file's base64 (JSON, names, the profile). */
  envelopeBytes: 64 * 1024,
  /** Nesting of objects and arrays: the contract's deepest params are a few levels down. */
  maxDepth: 32,
} as const;
