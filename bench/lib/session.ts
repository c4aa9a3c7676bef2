/**
 * One window's session on a core: every call goes through `core.rpc.call` (roles, schemas,
 * handler, result check). The benchmarks use the integration tests' session so that both drive
 * the core the same way.
 */
export { TestSession as BenchSession } from '../../tests/integration/core-support';
