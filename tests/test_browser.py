"""The course in a real browser: JupyterLab on 127.0.0.1, driven through Debian's Chromium by Playwright, one server
and one browser for the whole module.

`test_course_notebook_in_chromium` opens course notebooks (06_saol and 11_explore; SAOL_BROWSER_NBS="all", or a
list of names, picks others), runs them as a learner does (the menu bar's Run, then Run All Cells), waits until
the kernel is idle and every code cell has run, and asserts that no cell shows an error, that no figure shows as
text (`<Figure size ...>`), that each cell whose saved output holds an image shows a rendered one (an img in its
output area with naturalWidth > 0), and that each cell whose saved output is a widget shows the widget. The
notebooks are served as copies in a temporary JupyterLab root laid out like the repository (`nbs/` beside links to
results/, experiments/, ... and ../shared), so that their relative paths work from the kernel's folder, as they do
in `python3 run.py course`. The copies have their outputs cleared (what appears was drawn by this run), and the
cells that nbdev_test skips (flagged `#| slow` or `#| cuda`, or `#| eval: false`) have their source replaced by a
comment: JupyterLab's Run All runs every cell, and those take minutes.

`test_11_explore_in_chromium` takes the course's SAOL demo run with its four kept checkpoints (the one 11_explore
opens: `demo_run`, trained once, then cached), writes a notebook that opens the explorer on that run, runs it,
moves the image slider and the checkpoint slider, and checks that the rendered panels changed, comparing screenshots
of them before and after.

Screenshots and the server's log go to tests/artifacts/ (git-ignored), so that a failed run leaves them.
Needs /usr/bin/chromium (Debian's package; Playwright never downloads a browser here), the Python packages
playwright and jupyterlab. Without them the tests are skipped locally, and fail under CI (`CI` set), where
.ci/run installs them."""
import json, os, re, secrets, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
ART = ROOT/'tests'/'artifacts'
CHROMIUM = Path('/usr/bin/chromium')
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync', '--no-first-run']
WAIT = 90_000       # ms: the longest any single step may take (kernel start and the notebook's imports on a loaded 2-core CPU)
RUN_ALL = 600_000   # ms: the longest a course notebook's Run All may take (each runs in about a minute on an idle 2-core CPU)
sys.path.insert(0, str(ROOT/'tools'))
from run_nb import directives, skipped, tst_flags   # noqa: E402

def course_notebooks() -> list:
    "The notebooks that test_course_notebook_in_chromium runs: $SAOL_BROWSER_NBS ('all', or names), else 06_saol and 11_explore"
    names = os.environ.get('SAOL_BROWSER_NBS', '06_saol 11_explore').split()
    every = sorted(p.stem for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
    return every if names == ['all'] else names

def missing() -> str | None:
    "Why the browser test cannot run here, or None"
    if not CHROMIUM.exists(): return f'Chromium not found at {CHROMIUM} (Debian: apt-get install -y chromium)'
    for mod, pkg in (('playwright.sync_api', 'playwright'), ('jupyterlab', 'jupyterlab'), ('ipykernel', 'ipykernel')):
        try: __import__(mod)
        except ImportError: return f'the Python package {pkg} is not installed (pip install {pkg}; no browser download is needed)'

@pytest.fixture(scope='module')
def ready():
    if why := missing():
        if os.environ.get('CI'): pytest.fail(f'CI must run the browser test, but {why}')
        pytest.skip(why)
    ART.mkdir(parents=True, exist_ok=True)

def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def our_kernels(runtime: Path) -> list:
    "PIDs of kernels whose connection file lies in this server's runtime folder"
    pids = []
    for p in Path('/proc').glob('[0-9]*'):
        try: cmd = (p/'cmdline').read_bytes().decode(errors='replace')
        except OSError: continue
        if str(runtime) in cmd and 'ipykernel' in cmd: pids.append(int(p.name))
    return pids

def stop_server(proc: subprocess.Popen, runtime: Path):
    "SIGTERM to the server (it shuts its kernels down), then SIGKILL to its group and to any kernel of ours still there"
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try: proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL); proc.wait(10)
    for pid in our_kernels(runtime):
        try: os.kill(pid, signal.SIGKILL)
        except ProcessLookupError: pass

def mirror(base: Path) -> Path:
    "A folder laid out like the repository, `base`/nbs for the notebooks beside links to the rest (and ../shared), so relative paths work"
    nbs = base/'nbs'
    nbs.mkdir(parents=True)
    for p in ROOT.iterdir():
        if p.name not in ('nbs', '.git', '.venv', 'tests'): (base/p.name).symlink_to(p)
    for p in (ROOT/'nbs').iterdir():
        if p.suffix != '.ipynb': (nbs/p.name).symlink_to(p)
    if (ROOT.parent/'shared').exists() and not (base.parent/'shared').exists(): (base.parent/'shared').symlink_to(ROOT.parent/'shared')
    return nbs

@pytest.fixture(scope='module')
def lab(ready, tmp_path_factory):
    "JupyterLab on a free port of 127.0.0.1 with a token, serving a mirror of nbs/ (see `mirror`), for the whole module; stopped by its PID"
    tmp = tmp_path_factory.mktemp('lab')
    root, home = mirror(tmp/'course'), tmp/'home'
    settings = home/'settings'/'@jupyterlab'/'apputils-extension'
    settings.mkdir(parents=True)
    (settings/'notification.jupyterlab-settings').write_text(json.dumps({'fetchNews': 'false', 'checkForUpdates': False}))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home/'config'), JUPYTER_RUNTIME_DIR=str(home/'runtime'),
               JUPYTERLAB_SETTINGS_DIR=str(home/'settings'), JUPYTERLAB_WORKSPACES_DIR=str(home/'workspaces'),
               IPYTHONDIR=str(home/'ipython'), OMP_NUM_THREADS='1')
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}',
           '--ServerApp.port_retries=0', f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={root}',
           '--LabApp.expose_app_in_browser=True', '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
    if os.geteuid() == 0: cmd.append('--allow-root')
    log = open(ART/'jupyterlab.log', 'w')
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root, start_new_session=True)
    try:
        url, t0 = f'http://127.0.0.1:{port}', time.time()
        while True:
            if proc.poll() is not None: pytest.fail(f'JupyterLab exited with {proc.returncode}: see {ART/"jupyterlab.log"}')
            try:
                with urllib.request.urlopen(f'{url}/api/status?token={token}', timeout=2) as r:
                    if r.status == 200: break
            except OSError: pass
            if time.time() - t0 > 60: pytest.fail(f'JupyterLab did not answer within 60 s: see {ART/"jupyterlab.log"}')
            time.sleep(0.5)
        yield url, token, root
    finally:
        stop_server(proc, home/'runtime'); log.close()

@pytest.fixture(scope='module')
def browser(ready):
    "One headless Chromium for the module; each test opens its own page"
    from playwright.sync_api import sync_playwright
    p = sync_playwright().start()
    try:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True, timeout=WAIT)
        try: yield b
        finally: b.close()
    finally: p.stop()

JS_KERNEL = "() => window.jupyterapp && window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel"
JS_IDLE = "() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'"
JS_ERRORS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .flatMap((c, i) => (c.model.toJSON().outputs || []).filter(o => o.output_type === 'error').map(o => `cell ${i}: ${o.ename}: ${o.evalue}`))"""
JS_DONE = """() => {   // 'error' as soon as a cell shows one (Run All stops there), 'done' once the kernel is idle and every code cell ran
  const nb = window.jupyterapp.shell.currentWidget, cells = nb.content.widgets;
  if (cells.some(c => (c.model.toJSON().outputs || []).some(o => o.output_type === 'error'))) return 'error';
  const waiting = cells.filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().trim() && c.model.executionCount === null);
  return nb.sessionContext.session?.kernel?.status === 'idle' && waiting.length === 0 ? 'done' : null;
}"""
JS_AS_TEXT = """() => window.jupyterapp.shell.currentWidget.content.widgets.flatMap((c, i) => (c.model.toJSON().outputs || [])
  .filter(o => !(o.data || {})['image/png'] && String(o.text || (o.data || {})['text/plain'] || '').includes('<Figure size')).map(() => i))"""
JS_IMAGES = """i => [...window.jupyterapp.shell.currentWidget.content.widgets[i].node.querySelectorAll('.jp-OutputArea-output img')]
  .filter(img => img.complete && img.naturalWidth > 0).length"""
JS_WIDGET = """i => !!window.jupyterapp.shell.currentWidget.content.widgets[i].node.querySelector('.jp-OutputArea-output .jupyter-widgets')"""
JS_ALL_IMAGES = """() => [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output img')].filter(i => i.complete && i.naturalWidth > 0).length"""

def open_notebook(browser, url: str, token: str, name: str):
    "A new page with notebook `name` open and its kernel started and idle"
    page = browser.new_page(viewport={'width': 1500, 'height': 1000})
    page.set_default_timeout(WAIT)
    page.goto(f'{url}/lab/tree/{name}?reset&token={token}')
    page.wait_for_function(JS_KERNEL, timeout=WAIT)
    page.wait_for_function(JS_IDLE, timeout=WAIT)
    return page

def run_all_from_menu(page, timeout=RUN_ALL) -> float:
    "Run > Run All Cells in the menu bar, as a learner does; wait until every cell ran (or one failed); its seconds"
    page.locator('.lm-MenuBar-itemLabel', has_text=re.compile(r'^Run$')).click()
    page.locator('.lm-Menu-itemLabel', has_text=re.compile(r'^Run All Cells$')).click()
    t0 = time.time()
    page.wait_for_function(JS_DONE, timeout=timeout, polling=500)
    return time.time() - t0

def stop_kernel(page):
    try: page.evaluate('() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()')
    except Exception: pass

def course_copy(src: Path, dest: Path) -> tuple[dict, list]:
    "Write `src` to `dest` with outputs cleared and skipped cells made comments; ({cell: 'image'|'widget'} its saved outputs promise, skipped cells)"
    import nbformat
    nb, flags, expect, skip = nbformat.read(src, as_version=4), tst_flags(), {}, []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != 'code': continue
        if skipped(cell, flags):
            why = ' '.join(f'#| {k} {" ".join(v)}'.strip() for k, v in directives(cell.source).items() if k in flags or k == 'eval:')
            cell.source, skip = f'# skipped in the browser test ({why}): a full-scale cell, run it by hand', skip + [i]
        else:
            data = [o.get('data', {}) for o in cell.get('outputs', [])]
            if any('image/png' in d for d in data): expect[i] = 'image'
            elif any('application/vnd.jupyter.widget-view+json' in d for d in data): expect[i] = 'widget'
        cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, dest)
    return expect, skip

@pytest.mark.parametrize('name', course_notebooks())
def test_course_notebook_in_chromium(lab, browser, name):
    url, token, root = lab
    expect, skip = course_copy(ROOT/'nbs'/f'{name}.ipynb', root/f'{name}.ipynb')
    t0 = time.time()
    page = open_notebook(browser, url, token, f'{name}.ipynb')
    try:
        secs = run_all_from_menu(page)
        errors = page.evaluate(JS_ERRORS)
        assert not errors, f'{name}: Run All stopped on an error: {errors}'
        assert not page.evaluate(JS_AS_TEXT), f'{name}: figures shown as text in cells {page.evaluate(JS_AS_TEXT)}'
        cells = page.locator('.jp-Notebook .jp-Cell')
        for i, kind in expect.items():
            cells.nth(i).scroll_into_view_if_needed()
            try:
                if kind == 'image': page.wait_for_function(f'() => ({JS_IMAGES})({i}) > 0', timeout=10_000)
                else: page.wait_for_function(f'() => ({JS_WIDGET})({i})', timeout=10_000)
            except Exception:
                cells.nth(i).screenshot(path=str(ART/f'browser-{name}-cell{i}.png'))
                raise AssertionError(f'{name}, cell {i}: its saved output has an {kind}, but none rendered in JupyterLab '
                                     f'(see {ART}/browser-{name}-cell{i}.png)') from None
        shown = page.evaluate(JS_ALL_IMAGES)
        assert shown >= sum(k == 'image' for k in expect.values()), f'{name}: {shown} images rendered'
        page.screenshot(path=str(ART/f'browser-{name}.png'))
        print(f'{name}: Run All {secs:.1f} s in JupyterLab ({time.time() - t0:.1f} s with opening it and the checks); '
              f'{shown} images rendered, {len(skip)} flagged cells not run')
    except Exception:
        try: page.screenshot(path=str(ART/f'browser-{name}-failure.png'))
        except Exception: pass
        raise
    finally:
        stop_kernel(page); page.close()

@pytest.fixture(scope='module')
def trained_run(ready):
    "The course's SAOL demo run with its four epochs' checkpoints (the one 11_explore opens; trained once, then cached)"
    import torch
    from saol_lite.demo import demo_run
    threads = torch.get_num_threads()
    torch.set_num_threads(1)      # a ResNet-8: one thread is enough, and far faster on a shared, loaded CPU
    try: demo = demo_run('saol', keep_ckpts=4, quiet=True)
    finally: torch.set_num_threads(threads)
    assert demo.acc > 3*demo.chance, demo
    return demo.folder

def write_notebook(path: Path, run: Path):
    import nbformat
    nb = nbformat.v4.new_notebook(metadata={'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}})
    nb.cells = [nbformat.v4.new_code_cell('import torch; torch.set_num_threads(1)\n'
                                          'from saol_lite.explorer import AttentionExplorer'),
                nbformat.v4.new_code_cell(f'ex = AttentionExplorer.from_run({str(run)!r})\nex')]
    nbformat.write(nb, path)

def panel_image(page):
    "The explorer's first panel (the image), as rendered"
    return page.locator('.saol-panels img').first

def move_slider(page, cls: str, steps=1):
    "Focus the handle of the slider with CSS class `cls` and press the right arrow `steps` times, as a keyboard user would"
    handle = page.locator(f'.{cls} .noUi-handle').first
    handle.click()
    for _ in range(steps): handle.press('ArrowRight')

def wait_for_new_src(page, old: str):
    page.wait_for_function("old => { const i = document.querySelector('.saol-panels img'); return i && i.src !== old && i.complete && i.naturalWidth > 0; }",
                           arg=old, timeout=WAIT)
    page.wait_for_function(JS_IDLE, timeout=WAIT)

def shot(page, name: str) -> bytes:
    return panel_image(page).screenshot(path=str(ART/name))

def differs(a: bytes, b: bytes) -> float:
    "Mean absolute difference of two PNG screenshots, in [0, 1] (1 when their sizes differ)"
    import io
    from matplotlib.image import imread
    x, y = imread(io.BytesIO(a)), imread(io.BytesIO(b))
    return 1.0 if x.shape != y.shape else float(abs(x - y).mean())

def test_11_explore_in_chromium(lab, browser, trained_run):
    url, token, root = lab
    write_notebook(root/'explore.ipynb', trained_run)
    t0 = time.time()
    page = open_notebook(browser, url, token, 'explore.ipynb')
    try:
        run_all_from_menu(page, timeout=WAIT)
        errors = page.evaluate(JS_ERRORS)
        assert not errors, f'the notebook did not run cleanly: {errors}'
        page.wait_for_function("() => { const i = document.querySelector('.saol-panels img'); return i && i.complete && i.naturalWidth > 0; }", timeout=WAIT)
        page.screenshot(path=str(ART/'browser-0-page.png'))
        status = page.locator('.widget-html-content', has_text='shown)').first
        assert 'image 0 ' in status.inner_text()
        before, src = shot(page, 'browser-1-image0.png'), panel_image(page).get_attribute('src')

        move_slider(page, 'saol-index')                          # image 0 -> 1
        wait_for_new_src(page, src)
        after, src = shot(page, 'browser-2-image1.png'), panel_image(page).get_attribute('src')
        assert 'image 1 ' in status.inner_text(), status.inner_text()
        assert differs(before, after) > 0.01, 'the image panel did not change when the image slider moved'

        attn = lambda: page.locator('.saol-panels img').nth(1).screenshot(path=str(ART/'browser-attention.png'))
        a_last = attn()
        page.locator('.saol-ckpt .widget-readout').first.wait_for()
        handle = page.locator('.saol-ckpt .noUi-handle').first
        handle.click(); handle.press('Home')                     # the last checkpoint (epoch-004) -> the first (epoch-001)
        page.wait_for_function("() => document.querySelector('.saol-ckpt .widget-readout')?.textContent.includes('epoch-001')", timeout=WAIT)
        page.wait_for_function(JS_IDLE, timeout=WAIT)
        page.wait_for_function("() => [...document.querySelectorAll('.widget-html-content')].some(e => e.textContent.includes('epoch-001'))", timeout=WAIT)
        assert differs(a_last, attn()) > 0.001, 'the attention panel did not change with the checkpoint'
        page.screenshot(path=str(ART/'browser-3-page.png'))
    except Exception:
        try: page.screenshot(path=str(ART/'browser-failure.png'), full_page=True)
        except Exception: pass
        raise
    finally:
        stop_kernel(page); page.close()
    print(f'browser part: {time.time() - t0:.1f} s')
