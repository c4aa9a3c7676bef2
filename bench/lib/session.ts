import type { MethodName, ResultOf } from '../../common/contract';
import type { Core } from '../../main/core/compose';
import type { CallContext, SessionUser } from '../../main/core/rpc-server';

/** One window's session on a core: every call goes through `core.rpc.call` (roles, schemas, handler, result check). */
export class BenchSession {
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
