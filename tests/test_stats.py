"""saol_lite.stats against an independent reference: mpmath's incomplete beta function at 40 digits, on grids too large
to read in the notebook (nbs/00a_stats.ipynb tests closed forms and printed tables). mpmath comes with torch (through
sympy); it is used here only as a check, never by the library."""
import itertools, math
import pytest
from saol_lite.stats import _t_tail, betainc, t_quantile, welch

mp = pytest.importorskip('mpmath')
mp.mp.dps = 40

def ref_tail(t, df):
    "P(T > |t|) = I_x(df/2, 1/2)/2 with x = df/(df + t^2), in 40-digit arithmetic"
    t, df = mp.mpf(t), mp.mpf(df)
    return mp.betainc(df/2, mp.mpf(1)/2, 0, df/(df + t*t), regularized=True)/2

@pytest.mark.parametrize('a,b', list(itertools.product((0.3, 1, 2.5, 10, 80, 1000), repeat=2)))
def test_betainc_against_mpmath(a, b):
    for x in (1e-6, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-6):
        ref = float(mp.betainc(a, b, 0, x, regularized=True))
        if ref < 1e-290: continue
        # the prefactor is exp(a log x + b log(1-x) - log B): its rounding grows with the size of that exponent
        assert abs(betainc(a, b, x) - ref) <= 1e-14*(10 + max(a, b))*ref, (a, b, x, betainc(a, b, x), ref)

@pytest.mark.parametrize('df', (0.5, 1, 2, 3, 4.4, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7))
def test_t_tail_and_quantile_against_mpmath(df):
    tol = 1e-12 if df <= 1e4 else 2e-11 if df <= 1e6 else 1e-9     # rounding in the fraction grows with df (see 00a)
    for t in (0, 0.01, 0.5, 1, 1.96, 3, 10, 30):
        ref = float(ref_tail(t, df))
        if ref < 1e-290: continue
        assert abs(_t_tail(t, df) - ref) <= tol*ref, (t, df, _t_tail(t, df), ref)
    for p in (1e-8, 0.01, 0.025, 0.3, 0.7, 0.975, 0.999):
        q = min(p, 1 - p)                                         # the quantile's tail is the requested probability
        assert abs(float(ref_tail(t_quantile(p, df), df)) - q) <= tol*q, (p, df)

def test_welch_against_40_digit_arithmetic():
    "Welch's df, interval and p-value recomputed from the formulas in mpmath, the quantile by mpmath's root finder"
    a, b = [80.1, 81.7, 82.05, 81.2, 80.9], [79.4, 82.6, 80.0]
    w = welch(a, b)
    ma, mb = mp.fsum(a)/len(a), mp.fsum(b)/len(b)
    va = mp.fsum((x - ma)**2 for x in a)/(len(a) - 1)/len(a)
    vb = mp.fsum((x - mb)**2 for x in b)/(len(b) - 1)/len(b)
    df = (va + vb)**2/(va**2/(len(a) - 1) + vb**2/(len(b) - 1))
    se = mp.sqrt(va + vb)
    tq = mp.findroot(lambda t: ref_tail(t, df) - mp.mpf('0.025'), 3)
    assert math.isclose(w['df'], float(df), rel_tol=1e-13)
    assert math.isclose(w['hi'], float(ma - mb + tq*se), rel_tol=1e-12)
    assert math.isclose(w['lo'], float(ma - mb - tq*se), rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(w['p'], float(2*ref_tail((ma - mb)/se, df)), rel_tol=1e-12)
