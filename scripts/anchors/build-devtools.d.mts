/** Path of the bundled DevTools heap snapshot worker. */
export const DEVTOOLS_BUNDLE: string;
/** Bundles DevTools' heap snapshot worker for Node (cached); returns the bundle's path. */
export function buildDevToolsBundle(): Promise<string>;
