import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodName, ResultOf } from '../../common/contract';
import { createCore, type Core, type CoreOptions } from '../../main/core/compose';
import type { CallContext, SessionUser } from '../../main/core/rpc-server';

/** A real core (training mode, store on disk, simulators on 127.0.0.1) in a fresh temp folder. */
export async function startTestCore(opts: Partial<CoreOptions> = {}): Promise<{ core: Core; dataDir: string; session: TestSession; dispose(): Promise<void> }> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'motcua-core-'));
  const core = await createCore({ dataDir, startSync: false, ...opts });
  const session = new TestSession(core);
  return {
    core, dataDir, session,
    async dispose() {
      await core.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One connection's session, calling through the RPC server's checks (roles, schemas). */
export class TestSession {
  private user: SessionUser | null = null;
  readonly ctx: CallContext;

  constructor(private readonly core: Core) {
    const self = this;
    this.ctx = {
      get user() { return self.user; },
      connectionId: 0,
      setUser: (u) => { self.user = u; },
    };
  }

  call<M extends MethodName>(method: M, params: unknown = {}) {
    return this.core.rpc.call(method, params, this.ctx);
  }

  async ok<M extends MethodName>(method: M, params: unknown = {}): Promise<ResultOf<M>> {
    const r = await this.call(method, params);
    if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
    return r.value;
  }

  async login(username = 'canbo', password = 'daotao-canbo'): Promise<void> {
    await this.ok('auth.login', { username, password });
  }
}
