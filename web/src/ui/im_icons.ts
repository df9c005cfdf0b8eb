// Line icons of the IM composer, drawn like icons.ts (inline SVG, no emoji font needed).
import { icon } from './icons';

const imPaths: Record<string, string[]> = {
  smile: ['M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z', 'M8 14s1.5 2 4 2 4-2 4-2', 'M9 9h.01', 'M15 9h.01'],
  image: ['M5 3h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z', 'M8.5 10a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z', 'M21 15l-5-5L5 21'],
};

export function imIcon(name: 'smile' | 'image', size = 20): SVGSVGElement {
  const svg = icon(`im-${name}`, size);
  for (const d of imPaths[name]) {
    const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    p.setAttribute('d', d);
    svg.appendChild(p);
  }
  return svg;
}
