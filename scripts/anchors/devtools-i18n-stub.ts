// Stand-in for DevTools' core/i18n module, whose generated locale file is not shipped in the npm package.
// The heap snapshot worker only uses it to format progress strings.
export const i18n = {
  serializeUIString(string: string, values: Record<string, unknown> = {}): string {
    return JSON.stringify({ string, values });
  },
  getLocalizedString(_registered: unknown, string: string): string {
    return string;
  },
  registerUIStrings(_path: string, strings: Record<string, string>) {
    return { strings };
  },
  getLazilyComputedLocalizedString: (_r: unknown, s: string) => () => s,
  lockedString: (s: string) => s,
  lockedLazyString: (s: string) => () => s,
};
export const i18nTypes = {};
export const DevToolsLocale = {};
export const TimeUtilities = {};
export const ByteUtilities = {};
