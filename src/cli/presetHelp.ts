/** The `--help` text listing a command's presets and the values each fills in. */
export function presetHelp<P extends string>(names: readonly P[], presets: Readonly<Record<P, object>>): string {
  const lines = names.map((p) => {
    const values = Object.entries(presets[p]).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return `  ${p}: ${values.length > 0 ? values.join(' ') : '(the defaults)'}`;
  });
  return `Presets (--preset; any flag given overrides):\n${lines.join('\n')}`;
}
