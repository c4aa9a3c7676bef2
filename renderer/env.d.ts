/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

interface Window {
  /** Defined by the Electron preload; absent in browser mode, where the api speaks WebSocket. */
  motcua?: import('../common/contract').MotcuaApi;
}
