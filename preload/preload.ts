import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isAppPageOf } from '../common/contract/app-page';
import { buildMotcuaApi, RpcClient } from '../common/contract/client';

/**
 * Exposes `window.motcua`, built method by method from the contract, on the app's own page only
 * (common/contract/app-page.ts; the shell names the page in this renderer's arguments): any other
 * document the window might show gets neither the API nor the port. The page never sees
 * ipcRenderer: the preload only receives, once, the MessagePort the shell made for this window
 * and speaks the RPC protocol over it. Calls made before the port arrives wait for it.
 */
type Port = IpcRendererEvent['ports'][number];
/** The document this preload runs for (a DOM global; the preload is compiled without DOM types). */
declare const location: { readonly href: string };

function exposeCoreApi(): void {
  let port: Port | null = null;
  const queue: unknown[] = [];
  const client = new RpcClient((message) => {
    if (port) port.postMessage(message);
    else queue.push(message);
  });

  ipcRenderer.once('motcua:core-port', (event) => {
    const [received] = event.ports;
    if (!received) return;
    port = received;
    port.onmessage = (e: { data: unknown }) => client.receive(e.data);
    port.start();
    for (const message of queue.splice(0)) port.postMessage(message);
  });

  contextBridge.exposeInMainWorld('motcua', buildMotcuaApi(client.invoke, client.subscribe));
}

if (isAppPageOf(process.argv, location.href)) exposeCoreApi();
