#!/usr/bin/env python
"""Build README.md from nbs/index.ipynb (Quarto, which nbdev_readme needs, is not used here).

    python tools/readme.py           # write README.md
    python tools/readme.py --check   # exit 1 if README.md is not what index.ipynb gives

Markdown cells are copied as they are; code cells become ```python blocks with their text
outputs (Markdown outputs are inlined as Markdown); cells flagged `#| hide` are left out, and
cells flagged `#| echo: false` show only their output.
"""
import json, re, sys
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

def render(nb_path=ROOT/'nbs'/'index.ipynb'):
    parts = []
    for cell in json.loads(Path(nb_path).read_text())['cells']:
        code = src(cell).strip('\n')
        if cell['cell_type'] == 'markdown': parts.append(code)
        elif cell['cell_type'] == 'code' and code and not flag(code, 'hide'):
            if not flag(code, 'echo: false'):
                code = '\n'.join(l for l in code.splitlines() if not l.startswith('#|')).strip('\n')
                parts.append(f'```python\n{code}\n```')
            for kind, text in outputs(cell):
                parts.append(text.strip('\n') if kind == 'md' else f'```\n{text.rstrip(chr(10))}\n```')
    return HEADER + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, dest = render(), ROOT/'README.md'
    if '--check' in sys.argv:
        if not dest.exists() or dest.read_text() != text:
            sys.exit('README.md is stale: run `python tools/readme.py` (it is built from nbs/index.ipynb)')
        print('README.md matches nbs/index.ipynb')
    else: dest.write_text(text); print(f'wrote {dest.relative_to(ROOT)}')
