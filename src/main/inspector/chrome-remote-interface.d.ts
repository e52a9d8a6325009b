// The one entry point of chrome-remote-interface that the inspector uses; commands and events are typed
// by devtools-protocol in connection.ts.
declare module 'chrome-remote-interface' {
  interface Options {
    target?: string;
    host?: string;
    port?: number;
    /** Use the bundled protocol description instead of fetching /json/protocol (Node has none). */
    local?: boolean;
  }
  function CDP(options: Options): Promise<unknown>;
  export default CDP;
}
