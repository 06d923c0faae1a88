"""First use of numba kernels: the one-line notice fires when numba compiles, never when it loads its cache."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

KERNEL = textwrap.dedent('''
    from numba import njit

    @njit(cache=True)
    def twice(x):
        return 2.0 * x
''')

CALLER = textwrap.dedent('''
    import sys
    sys.path.insert(0, sys.argv[1])
    from orbitshare.warmup import announce_compilation
    announce_compilation(lambda: print("NOTICE"))
    announce_compilation(lambda: print("SECOND LISTENER"))
    from kernel_mod import twice
    assert twice(2.0) == 4.0
    assert twice(3.0) == 6.0
''')


def _run(tmp_path) -> str:
    """Run the caller in a fresh process with numba's cache in tmp_path/cache; its stdout."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    out = subprocess.run([sys.executable, "-c", CALLER, str(tmp_path)], env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    return out.stdout


def test_notice_once_on_compile_and_not_on_cache_load(tmp_path):
    """First process compiles: each listener fires exactly once; second process loads the cache: none fires."""
    (tmp_path / "kernel_mod.py").write_text(KERNEL)
    first = _run(tmp_path).splitlines()
    assert first.count("NOTICE") == 1 and first.count("SECOND LISTENER") == 1
    assert _run(tmp_path).strip() == ""
