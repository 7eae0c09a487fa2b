"Downloads against servers on 127.0.0.1: success, wrong checksum, interrupted transfer, offline."
import hashlib, http.server, io, socket, tarfile, threading
from pathlib import Path
import numpy as np, pytest
from saol_lite.data import CIFAR, SaolError, download_cifar, fetch, find_cifar, load_cifar, local_server

def make_tar(folder: Path, members=None, n=3) -> tuple[Path, str]:
    "A tarball laid out like cifar-10-binary.tar.gz (n records a batch) plus extra `members`"
    path = folder/'cifar-10-binary.tar.gz'
    with tarfile.open(path, 'w:gz') as tf:
        for f in CIFAR['cifar10'].train + CIFAR['cifar10'].test:
            data = np.random.default_rng(0).integers(0, 10, (n, 3073)).astype(np.uint8).tobytes()
            info = tarfile.TarInfo(f'cifar-10-batches-bin/{f}'); info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for info, data in (members or []): tf.addfile(info, io.BytesIO(data) if data else None)
    return path, hashlib.md5(path.read_bytes()).hexdigest()

def test_download_find_and_load(tmp_path):
    tar, md5 = make_tar(tmp_path)
    with local_server(tmp_path) as url:
        spec = CIFAR['cifar10']
        CIFAR['cifar10'] = type(spec)(**{**spec.__dict__, 'url': f'{url}/{tar.name}', 'md5': md5})
        try: folder = find_cifar('cifar10', tmp_path/'data', download=True)
        finally: CIFAR['cifar10'] = spec
    assert folder == tmp_path/'data'/'cifar-10-batches-bin'
    assert sorted(p.name for p in (tmp_path/'data').iterdir()) == ['cifar-10-batches-bin']   # tarball and temp gone
    assert len(load_cifar('cifar10', 'test', tmp_path/'data')) == 3
    # a second call finds the folder and downloads nothing (the server is gone)
    assert download_cifar('cifar10', tmp_path/'data') == folder

class Truncating(http.server.BaseHTTPRequestHandler):
    "Promises 1,000,000 bytes and hangs up after 1,000"
    def do_GET(self):
        self.send_response(200); self.send_header('Content-Length', '1000000'); self.end_headers()
        self.wfile.write(b'x'*1000); self.wfile.flush()
        self.close_connection = True
    def log_message(self, *a): pass

def test_interrupted_download_leaves_nothing(tmp_path):
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Truncating)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with pytest.raises(SaolError, match='could not download|stopped after'):
            download_cifar('cifar10', tmp_path/'data', url=f'http://127.0.0.1:{srv.server_address[1]}/c.tar.gz', md5='0'*32, progress=False)
    finally: srv.shutdown(); srv.server_close()
    assert list((tmp_path/'data').iterdir()) == []
    with pytest.raises(SaolError, match='not found'): find_cifar('cifar10', tmp_path/'data')

def test_offline_message(tmp_path):
    s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()   # nothing listens there
    with pytest.raises(SaolError, match=r'could not download .* Offline\? Fetch it by hand'):
        fetch(f'http://127.0.0.1:{port}/cifar-10-binary.tar.gz', tmp_path/'c.tar.gz', '0'*32, progress=False)
    assert list(tmp_path.iterdir()) == []

@pytest.mark.parametrize('member', ['/tmp/abs.txt', '../up.txt', 'link'])
def test_unsafe_archives_refused(tmp_path, member):
    info = tarfile.TarInfo(member)
    if member == 'link': info.type, info.linkname, data = tarfile.SYMTYPE, '/etc/passwd', None
    else: info.size, data = 2, b'hi'
    tar, md5 = make_tar(tmp_path, [(info, data)])
    with local_server(tmp_path) as url:
        with pytest.raises(SaolError, match='unsafe or broken archive'):
            download_cifar('cifar10', tmp_path/'data', url=f'{url}/{tar.name}', md5=md5, progress=False)
    assert list((tmp_path/'data').iterdir()) == []
    assert not Path('/tmp/abs.txt').exists() and not (tmp_path/'up.txt').exists()

def test_archive_without_batches(tmp_path):
    info = tarfile.TarInfo('something/else.txt'); info.size = 2
    path = tmp_path/'c.tar.gz'
    with tarfile.open(path, 'w:gz') as tf: tf.addfile(info, io.BytesIO(b'hi'))
    with local_server(tmp_path) as url:
        with pytest.raises(SaolError, match='does not hold cifar-10-batches-bin'):
            download_cifar('cifar10', tmp_path/'data', url=f'{url}/c.tar.gz', md5=hashlib.md5(path.read_bytes()).hexdigest(), progress=False)
    assert list((tmp_path/'data').iterdir()) == []
