"""The attention explorer in a real browser: JupyterLab on 127.0.0.1, driven through Debian's Chromium by Playwright.

A fixture trains a small SAOL model (ResNet-8, a few seconds) and keeps its checkpoints; the test writes a
notebook that opens the explorer on that run, runs it in JupyterLab, moves the image slider and the
checkpoint slider, and checks that the rendered panel changed, comparing screenshots of it before and after.
Screenshots and the server's log go to tests/artifacts/ (git-ignored), so that a failed run leaves them.

Needs /usr/bin/chromium (Debian's package; Playwright never downloads a browser here), the Python packages
playwright and jupyterlab. Without them the test is skipped locally, and fails under CI (`CI` set), where
.ci/run installs them."""
import json, os, secrets, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
ART = ROOT/'tests'/'artifacts'
CHROMIUM = Path('/usr/bin/chromium')
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync', '--no-first-run']
WAIT = 90_000   # ms: the longest any single step may take (kernel start and the notebook's imports on a loaded 2-core CPU)

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

@pytest.fixture(scope='module')
def trained_run(ready, tmp_path_factory):
    "A ResNet-8 + SAOL run folder with two kept checkpoints (epoch-001.pt, epoch-002.pt)"
    import torch
    from saol_lite.train import Config, train
    out, threads = tmp_path_factory.mktemp('browser')/'run', torch.get_num_threads()
    torch.set_num_threads(1)      # a few steps of a ResNet-8: one thread is enough, and far faster on a shared, loaded CPU
    try: train(Config(arch='resnet8', head='saol', limit_train=256, limit_test=32, epochs=2, bs=64, lr=0.05, keep_ckpts=2,
                      out=str(out), progress=False))
    finally: torch.set_num_threads(threads)
    return out

def write_notebook(path: Path, run: Path):
    import nbformat
    nb = nbformat.v4.new_notebook(metadata={'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}})
    nb.cells = [nbformat.v4.new_code_cell('import torch; torch.set_num_threads(1)\n'
                                          'from saol_lite.explore import AttentionExplorer'),
                nbformat.v4.new_code_cell(f'ex = AttentionExplorer.from_run({str(run)!r})\nex')]
    nbformat.write(nb, path)

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

@pytest.fixture
def lab(trained_run, tmp_path):
    "JupyterLab on a free port of 127.0.0.1 with a token, serving a folder that holds explore.ipynb; stopped by its PID"
    root, home = tmp_path/'root', tmp_path/'home'
    root.mkdir(); home.mkdir()
    write_notebook(root/'explore.ipynb', trained_run)
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
        yield url, token
    finally:
        stop_server(proc, home/'runtime'); log.close()

JS_RUN_ALL = """() => {
  window.__ran = null;
  window.jupyterapp.commands.execute('notebook:run-all-cells').then(r => { window.__ran = String(r); }, e => { window.__ran = 'error ' + e; });
}"""
JS_ERRORS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .flatMap(c => (c.model.toJSON().outputs || []).filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue))"""
JS_IDLE = "() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'"

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

def test_11_explore_in_chromium(lab):
    from playwright.sync_api import sync_playwright
    url, token = lab
    t0 = time.time()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True, timeout=WAIT)
        page = browser.new_page(viewport={'width': 1500, 'height': 1000})
        page.set_default_timeout(WAIT)
        try:
            page.goto(f'{url}/lab/tree/explore.ipynb?reset&token={token}')
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel", timeout=WAIT)
            page.wait_for_function(JS_IDLE, timeout=WAIT)
            page.evaluate(JS_RUN_ALL)
            page.wait_for_function('() => window.__ran !== null', timeout=WAIT)
            ran, errors = page.evaluate('() => window.__ran'), page.evaluate(JS_ERRORS)
            assert ran == 'true' and not errors, f'the notebook did not run cleanly: {ran}, {errors}'
            page.wait_for_function(JS_IDLE, timeout=WAIT)
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
            handle.click(); handle.press('ArrowLeft')                # checkpoint epoch-002 -> epoch-001
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
            browser.close()
    print(f'browser part: {time.time() - t0:.1f} s')
