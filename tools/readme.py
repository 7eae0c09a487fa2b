#!/usr/bin/env python
"""Build README.md from nbs/index.ipynb (Quarto, which nbdev_readme needs, is not used here).

    python tools/readme.py           # write README.md
    python tools/readme.py --check   # exit 1 if README.md is not what index.ipynb gives

Markdown cells are copied as they are; code cells become ```python blocks with their text
outputs (Markdown outputs are inlined as Markdown); cells flagged `#| hide` are left out, and
cells flagged `#| echo: false` show only their output. A cell flagged `#| readme_figure: PATH`
has its saved figure (the first image/png output) written to PATH, relative to the repository,
and shown there as an image, with `#| fig-cap: ...` as its alternative text; `--check` also
compares those files.
"""
import base64, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = '<!-- Generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file. -->\n\n'

def src(cell): return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']

def flag(code, name): return bool(re.search(rf'^#\|\s*{name}\s*$', code, re.M))

def outputs(cell):
    "[(kind, text)] of a cell's outputs: 'md' for Markdown, 'text' for streams and plain reprs (not figures)"
    out = []
    for o in cell.get('outputs', []):
        d = o.get('data', {})
        if o.get('output_type') == 'stream': out.append(('text', ''.join(o['text'])))
        elif 'text/markdown' in d: out.append(('md', ''.join(d['text/markdown'])))
        elif 'text/plain' in d and 'image/png' not in d: out.append(('text', ''.join(d['text/plain']) + '\n'))
    return out

def option(code, name):
    "The value of directive `#| name: value` in `code`, or None"
    m = re.search(rf'^#\|\s*{name}:\s*(.+?)\s*$', code, re.M)
    return m[1] if m else None

def figure(cell) -> bytes:
    "The first PNG a cell's saved outputs hold"
    png = next((o['data']['image/png'] for o in cell.get('outputs', []) if 'image/png' in o.get('data', {})), None)
    if png is None: sys.exit(f'a readme_figure cell has no saved figure: run nbs/index.ipynb and save it ({src(cell)[:80]!r})')
    return base64.b64decode(''.join(png) if isinstance(png, list) else png)

def render(nb_path=ROOT/'nbs'/'index.ipynb', figures=None):
    "README's text; with `figures` a dict, it also gets {path: PNG bytes} of the figures README shows"
    parts = []
    for cell in json.loads(Path(nb_path).read_text())['cells']:
        code = src(cell).strip('\n')
        if cell['cell_type'] == 'markdown': parts.append(code)
        elif cell['cell_type'] == 'code' and code and not flag(code, 'hide'):
            if (path := option(code, 'readme_figure')):
                if figures is not None: figures[path] = figure(cell)
                parts.append(f"![{option(code, 'fig-cap') or 'figure'}]({path})")
                continue
            if not flag(code, 'echo: false'):
                code = '\n'.join(l for l in code.splitlines() if not l.startswith('#|')).strip('\n')
                parts.append(f'```python\n{code}\n```')
            for kind, text in outputs(cell):
                parts.append(text.strip('\n') if kind == 'md' else f'```\n{text.rstrip(chr(10))}\n```')
    return HEADER + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    figures = {}
    text, dest = render(figures=figures), ROOT/'README.md'
    if '--check' in sys.argv:
        stale = [p for p, b in figures.items() if not (ROOT/p).is_file() or (ROOT/p).read_bytes() != b]
        if not dest.exists() or dest.read_text() != text or stale:
            sys.exit(f'README.md{" or " + ", ".join(stale) if stale else ""} is stale: run `python tools/readme.py` (built from nbs/index.ipynb)')
        print('README.md matches nbs/index.ipynb')
    else:
        for p, b in figures.items(): (ROOT/p).parent.mkdir(parents=True, exist_ok=True); (ROOT/p).write_bytes(b)
        dest.write_text(text); print(f'wrote {dest.relative_to(ROOT)}' + ''.join(f', {p}' for p in figures))
