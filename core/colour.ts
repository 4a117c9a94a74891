/**
 * Terminal colours from Node itself (util.styleText), so printing a line does not load a library. On as chalk has
 * it: when stdout is a terminal, unless NO_COLOR is set or TERM is dumb; FORCE_COLOR (other than 0 or false) turns
 * them on anyway.
 */
import { styleText } from 'node:util';

type Style = 'green' | 'red' | 'yellow' | 'magenta' | 'dim' | 'bold';

export function colourEnabled(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stdout.isTTY)): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

const enabled = colourEnabled();
const paint = (style: Style) => (text: string) => (enabled ? styleText(style, text) : text);

export const colour = {
  green: paint('green'),
  red: paint('red'),
  yellow: paint('yellow'),
  magenta: paint('magenta'),
  dim: paint('dim'),
  bold: paint('bold'),
};
