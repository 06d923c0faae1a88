"""SGP4/SDP4 compiled with numba: a line-by-line port of python-sgp4's propagation.py (Vallado 2006).

Derived from python-sgp4 (Brandon Rhodes, MIT licence; itself a port of David Vallado's C++ code of
"Revisiting Spacetrack Report #3", AIAA 2006-6753).  Element records live in a numpy structured array
(`SATREC_DTYPE`), one row per object, so that the kernels can run over objects in parallel threads
with no Python objects.  WGS-72 constants as in the reference.  Comments of the original are omitted:
read them in python-sgp4 or Vallado's C++ source, whose structure this file keeps.  Departures: cached
near-Earth constants (marked "orbitshare:"), sine/cosine pairs through `_sincos` (one libm call), angle
reduction through `_mod2pi` (floor division), Kepler iterates' sine/cosine by rotation (`_rotate_small`),
a polynomial `_sincos`, the resonance integrator's state kept as in the C++, a vectorised near-Earth kernel
over the times of one object (`near_earth_batch`) in the drivers, and their re-entry rule
(docs/catalog-and-propagation.md).
"""
# ruff: noqa
from math import atan2, cos, fabs, pi, sin, sqrt

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from orbitshare.constants import WGS72_J2, WGS72_J3, WGS72_J4, WGS72_MU_KM3S2, WGS72_RE_KM, WGS72_XKE

__all__ = ["BATCH_ANGLE_MAX", "BATCH_ECC_MAX", "BATCH_NEWTON", "BATCH_NEWTON_TOL", "SATREC_DTYPE", "batch_eligible",
           "init_records", "near_earth_batch", "propagate_pairs", "propagate_range", "propagate_range_time_major",
           "sgp4", "sgp4init"]

deg2rad = pi / 180.0
twopi = 2.0 * pi
def _load_libm() -> None:
    """Make libm's sincos resolvable by the JIT (it is in every CPython process on Linux; load it to be sure)."""
    import ctypes.util

    import llvmlite.binding as llvm

    name = ctypes.util.find_library("m")
    if name:
        llvm.load_library_permanently(name)


_load_libm()


@njit(cache=True, error_model='numpy', inline='always')
def _mod2pi_poly(x):
    """x modulo 2 pi in [0, 2 pi) as Python's %, by floor division (within 1e-13 rad of fmod, much faster),
    branch-free: inlined into the vectorised kernel, under its flags."""
    r = x - twopi * np.floor(x / twopi)
    r = r - twopi if r >= twopi else r
    return r + twopi if r < 0.0 else r


@njit(cache=True, error_model='numpy')
def _mod2pi(x):
    """x modulo 2 pi in [0, 2 pi) (_mod2pi_poly compiled on its own, without fast-math: the reference's values)."""
    return _mod2pi_poly(x)


@intrinsic
def _libm_sincos(typingctx, x):
    """(sin x, cos x) from one libm sincos call: the same values as sin and cos, about half the cost."""
    sig = types.UniTuple(types.float64, 2)(types.float64)

    def codegen(context, builder, signature, args):
        dbl = ir.DoubleType()
        fnty = ir.FunctionType(ir.VoidType(), [dbl, dbl.as_pointer(), dbl.as_pointer()])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "sincos")
        s_ptr = cgutils.alloca_once(builder, dbl)
        c_ptr = cgutils.alloca_once(builder, dbl)
        builder.call(fn, [args[0], s_ptr, c_ptr])
        return context.make_tuple(builder, signature.return_type, [builder.load(s_ptr), builder.load(c_ptr)])

    return sig, codegen


# sin/cos on [-pi/4, pi/4] (fdlibm's __kernel_sin / __kernel_cos coefficients) after a three-part Cody-Waite
# reduction by pi/2 (fdlibm's 33-bit pio2_1, pio2_2 and the tail pio2_2t: q * pio2_1 and q * pio2_2 are exact for
# |q| < 2^20); larger arguments go to libm.
_PIO2_1 = 1.57079632673412561417e+00
_PIO2_2 = 6.07710050630396597660e-11
_PIO2_2T = 2.02226624879595063154e-21
_TWO_OVER_PI = 0.6366197723675814
_SINCOS_MAX = 1.0e5  # rad
_S1, _S2, _S3, _S4, _S5, _S6 = (-1.66666666666666324348e-01, 8.33333333332248946124e-03,
                                -1.98412698298579493134e-04, 2.75573137070700676789e-06,
                                -2.50507602534068634195e-08, 1.58969099521155010221e-10)
_C1, _C2, _C3, _C4, _C5, _C6 = (4.16666666666666019037e-02, -1.38888888888741095749e-03,
                                2.48015872894767294178e-05, -2.75573143513906633035e-07,
                                2.08757232129817482790e-09, -1.13596475577881948265e-11)
# No 'reassoc' here: reassociation would merge the reduction's three parts and lose its exactness.
_SINCOS_FASTMATH = {"contract", "nsz"}


@njit(cache=True, error_model='numpy', inline='always', fastmath=_SINCOS_FASTMATH)
def _sincos_poly(x):
    """(sin x, cos x) for |x| < 1e5 rad, branch-free (the polynomial above; _sincos adds the libm fallback)."""
    q = np.floor(x * _TWO_OVER_PI + 0.5)
    r = ((x - q * _PIO2_1) - q * _PIO2_2) - q * _PIO2_2T
    z = r * r
    sn = r + r * z * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
    cs = 1.0 - 0.5 * z + z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6)))))
    k = np.int64(q) & 3
    odd = (k & 1) == 1
    s1 = cs if odd else sn
    c1 = -sn if odd else cs
    neg = (k & 2) == 2
    return (-s1 if neg else s1), (-c1 if neg else c1)


@njit(cache=True, error_model='numpy', fastmath=_SINCOS_FASTMATH)
def _sincos(x):
    """(sin x, cos x) within 2 ulp of libm, without a libm call for |x| < 1e5 rad (orbitshare; measured 6x
    faster than libm's sincos in SGP4's loops; docs/catalog-and-propagation.md)."""
    if not fabs(x) < _SINCOS_MAX:  # also NaN
        return _libm_sincos(x)
    return _sincos_poly(x)


@njit(cache=True, error_model='numpy', inline='always')
def _rotate_small(s0, c0, d):
    """(sin, cos) of (a + d) from s0 = sin a, c0 = cos a: Taylor terms for |d| < 0.01 rad (to 1e-19), else sincos.

    The SGP4 short-period corrections to the argument of latitude and the inclination are below 1e-3 rad, so
    this replaces a libm sincos (and, for the argument of latitude, the atan2 before it).
    """
    if fabs(d) < 0.01:
        d2 = d * d
        sd = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0 * (1.0 - d2 / 42.0)))
        cd = 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0 * (1.0 - d2 / 56.0)))
    else:
        sd, cd = _sincos(d)
    return s0 * cd + c0 * sd, c0 * cd - s0 * sd


_nan = float("nan")
# The reference-structured scalar kernels (sgp4, sgp4init and the deep-space routines) are what the vectorised
# kernel falls back to, so they keep IEEE evaluation order: no 'reassoc', 'afn' or 'arcp' (each lets LLVM change
# results by amounts no test bounds), no 'nnan'/'ninf' (error checks on NaN elements must work). Fused
# multiply-add ('contract') and signed-zero freedom ('nsz') only remove rounding steps.
_FASTMATH = {"contract", "nsz"}
_NAN3 = (_nan, _nan, _nan)

_MU = WGS72_MU_KM3S2
_RADIUSEARTHKM = WGS72_RE_KM
_XKE = WGS72_XKE
_TUMIN = 1.0 / _XKE
_J2 = WGS72_J2
_J3 = WGS72_J3
_J4 = WGS72_J4
_J3OJ2 = _J3 / _J2

SATREC_DTYPE = np.dtype([
    ("Om", np.float64),
    ("a", np.float64),
    ("alta", np.float64),
    ("altp", np.float64),
    ("am", np.float64),
    ("argpdot", np.float64),
    ("argpo", np.float64),
    ("atime", np.float64),
    ("aycof", np.float64),
    ("bstar", np.float64),
    ("cc1", np.float64),
    ("cc4", np.float64),
    ("cc5", np.float64),
    ("con41", np.float64),
    ("d2", np.float64),
    ("d2201", np.float64),
    ("d2211", np.float64),
    ("d3", np.float64),
    ("d3210", np.float64),
    ("d3222", np.float64),
    ("d4", np.float64),
    ("d4410", np.float64),
    ("d4422", np.float64),
    ("d5220", np.float64),
    ("d5232", np.float64),
    ("d5421", np.float64),
    ("d5433", np.float64),
    ("dedt", np.float64),
    ("del1", np.float64),
    ("del2", np.float64),
    ("del3", np.float64),
    ("delmo", np.float64),
    ("didt", np.float64),
    ("dmdt", np.float64),
    ("dnodt", np.float64),
    ("domdt", np.float64),
    ("e3", np.float64),
    ("ecco", np.float64),
    ("ee2", np.float64),
    ("em", np.float64),
    ("error", np.int64),
    ("c_amk", np.float64),
    ("c_sinio", np.float64),
    ("c_cosio", np.float64),
    ("eta", np.float64),
    ("gsto", np.float64),
    ("im", np.float64),
    ("inclo", np.float64),
    ("init", np.int64),
    ("irez", np.int64),
    ("isimp", np.int64),
    ("j2", np.float64),
    ("j3", np.float64),
    ("j3oj2", np.float64),
    ("j4", np.float64),
    ("mdot", np.float64),
    ("method", np.int64),
    ("mm", np.float64),
    ("mo", np.float64),
    ("mu", np.float64),
    ("nddot", np.float64),
    ("ndot", np.float64),
    ("nm", np.float64),
    ("no_kozai", np.float64),
    ("no_unkozai", np.float64),
    ("nodecf", np.float64),
    ("nodedot", np.float64),
    ("nodeo", np.float64),
    ("om", np.float64),
    ("omgcof", np.float64),
    ("operationmode", np.int64),
    ("peo", np.float64),
    ("pgho", np.float64),
    ("pho", np.float64),
    ("pinco", np.float64),
    ("plo", np.float64),
    ("radiusearthkm", np.float64),
    ("se2", np.float64),
    ("se3", np.float64),
    ("sgh2", np.float64),
    ("sgh3", np.float64),
    ("sgh4", np.float64),
    ("sh2", np.float64),
    ("sh3", np.float64),
    ("si2", np.float64),
    ("si3", np.float64),
    ("sinmao", np.float64),
    ("sl2", np.float64),
    ("sl3", np.float64),
    ("sl4", np.float64),
    ("t", np.float64),
    ("t2cof", np.float64),
    ("t3cof", np.float64),
    ("t4cof", np.float64),
    ("t5cof", np.float64),
    ("tumin", np.float64),
    ("x1mth2", np.float64),
    ("x7thm1", np.float64),
    ("xfact", np.float64),
    ("xgh2", np.float64),
    ("xgh3", np.float64),
    ("xgh4", np.float64),
    ("xh2", np.float64),
    ("xh3", np.float64),
    ("xi2", np.float64),
    ("xi3", np.float64),
    ("xke", np.float64),
    ("xl2", np.float64),
    ("xl3", np.float64),
    ("xl4", np.float64),
    ("xlamo", np.float64),
    ("xlcof", np.float64),
    ("xli", np.float64),
    ("xmcof", np.float64),
    ("xni", np.float64),
    ("zmol", np.float64),
    ("zmos", np.float64),
])

@njit(cache=True, fastmath=_FASTMATH, error_model='numpy')
def _dpper(satrec, inclo, init, ep, inclp, nodep, argpp, mp, opsmode):
     e3 = satrec.e3
     ee2 = satrec.ee2
     peo = satrec.peo
     pgho = satrec.pgho
     pho = satrec.pho
     pinco = satrec.pinco
     plo = satrec.plo
     se2 = satrec.se2
     se3 = satrec.se3
     sgh2 = satrec.sgh2
     sgh3 = satrec.sgh3
     sgh4 = satrec.sgh4
     sh2 = satrec.sh2
     sh3 = satrec.sh3
     si2 = satrec.si2
     si3 = satrec.si3
     sl2 = satrec.sl2
     sl3 = satrec.sl3
     sl4 = satrec.sl4
     t = satrec.t
     xgh2 = satrec.xgh2
     xgh3 = satrec.xgh3
     xgh4 = satrec.xgh4
     xh2 = satrec.xh2
     xh3 = satrec.xh3
     xi2 = satrec.xi2
     xi3 = satrec.xi3
     xl2 = satrec.xl2
     xl3 = satrec.xl3
     xl4 = satrec.xl4
     zmol = satrec.zmol
     zmos = satrec.zmos
     zns   = 1.19459e-5;
     zes   = 0.01675;
     znl   = 1.5835218e-4;
     zel   = 0.05490;
     zm    = zmos + zns * t;
     if init == 1:
         zm = zmos;
     zf    = zm + 2.0 * zes * sin(zm);
     sinzf = sin(zf);
     f2    =  0.5 * sinzf * sinzf - 0.25;
     f3    = -0.5 * sinzf * cos(zf);
     ses   = se2* f2 + se3 * f3;
     sis   = si2 * f2 + si3 * f3;
     sls   = sl2 * f2 + sl3 * f3 + sl4 * sinzf;
     sghs  = sgh2 * f2 + sgh3 * f3 + sgh4 * sinzf;
     shs   = sh2 * f2 + sh3 * f3;
     zm    = zmol + znl * t;
     if init == 1:
         zm = zmol;
     zf    = zm + 2.0 * zel * sin(zm);
     sinzf = sin(zf);
     f2    =  0.5 * sinzf * sinzf - 0.25;
     f3    = -0.5 * sinzf * cos(zf);
     sel   = ee2 * f2 + e3 * f3;
     sil   = xi2 * f2 + xi3 * f3;
     sll   = xl2 * f2 + xl3 * f3 + xl4 * sinzf;
     sghl  = xgh2 * f2 + xgh3 * f3 + xgh4 * sinzf;
     shll  = xh2 * f2 + xh3 * f3;
     pe    = ses + sel;
     pinc  = sis + sil;
     pl    = sls + sll;
     pgh   = sghs + sghl;
     ph    = shs + shll;
     if init == 0:
       pe    = pe - peo;
       pinc  = pinc - pinco;
       pl    = pl - plo;
       pgh   = pgh - pgho;
       ph    = ph - pho;
       inclp = inclp + pinc;
       ep    = ep + pe;
       sinip, cosip = _sincos(inclp)
       if inclp >= 0.2:
           ph /= sinip
           pgh -= cosip * ph
           argpp += pgh
           nodep += ph
           mp += pl
       else:
           sinop, cosop = _sincos(nodep)
           alfdp  = sinip * sinop;
           betdp  = sinip * cosop;
           dalf   =  ph * cosop + pinc * cosip * sinop;
           dbet   = -ph * sinop + pinc * cosip * cosop;
           alfdp  = alfdp + dalf;
           betdp  = betdp + dbet;
           nodep  = _mod2pi(nodep) if nodep >= 0.0 else -_mod2pi(-nodep)
           if nodep < 0.0 and opsmode == 0:
               nodep = nodep + twopi;
           xls = mp + argpp + pl + pgh + (cosip - pinc * sinip) * nodep
           xnoh   = nodep;
           nodep  = atan2(alfdp, betdp);
           if nodep < 0.0 and opsmode == 0:
               nodep = nodep + twopi;
           if fabs(xnoh - nodep) > pi:
             if nodep < xnoh:
                nodep = nodep + twopi;
             else:
                nodep = nodep - twopi;
           mp += pl
           argpp = xls - mp - cosip * nodep;
     return ep, inclp, nodep, argpp, mp
@njit(cache=True, fastmath=_FASTMATH, error_model='numpy')
def _dscom(
       epoch,  ep,     argpp,   tc,     inclp,
       nodep,  np,
       e3,     ee2,
       peo,    pgho,  pho,
       pinco, plo, se2,   se3,
       sgh2,  sgh3,  sgh4,   sh2,   sh3,
       si2,   si3,   sl2,    sl3,   sl4,
       xgh2,  xgh3,   xgh4,  xh2,
       xh3,   xi2,   xi3,    xl2,   xl3,
       xl4,   zmol,  zmos,
     ):
     zes     =  0.01675;
     zel     =  0.05490;
     c1ss    =  2.9864797e-6;
     c1l     =  4.7968065e-7;
     zsinis  =  0.39785416;
     zcosis  =  0.91744867;
     zcosgs  =  0.1945905;
     zsings  = -0.98088458;
     nm     = np;
     em     = ep;
     snodm, cnodm = _sincos(nodep)
     sinomm, cosomm = _sincos(argpp)
     sinim, cosim = _sincos(inclp)
     emsq   = em * em;
     betasq = 1.0 - emsq;
     rtemsq = sqrt(betasq);
     peo    = 0.0;
     pinco  = 0.0;
     plo    = 0.0;
     pgho   = 0.0;
     pho    = 0.0;
     day    = epoch + 18261.5 + tc / 1440.0;
     xnodce = (4.5236020 - 9.2422029e-4 * day) % twopi
     stem, ctem = _sincos(xnodce)
     zcosil = 0.91375164 - 0.03568096 * ctem;
     zsinil = sqrt(1.0 - zcosil * zcosil);
     zsinhl = 0.089683511 * stem / zsinil;
     zcoshl = sqrt(1.0 - zsinhl * zsinhl);
     gam    = 5.8351514 + 0.0019443680 * day;
     zx     = 0.39785416 * stem / zsinil;
     zy     = zcoshl * ctem + 0.91744867 * zsinhl * stem;
     zx     = atan2(zx, zy);
     zx     = gam + zx - xnodce;
     zsingl, zcosgl = _sincos(zx)
     zcosg = zcosgs;
     zsing = zsings;
     zcosi = zcosis;
     zsini = zsinis;
     zcosh = cnodm;
     zsinh = snodm;
     cc    = c1ss;
     xnoi  = 1.0 / nm;
     for lsflg in 1, 2:
         a1  =   zcosg * zcosh + zsing * zcosi * zsinh;
         a3  =  -zsing * zcosh + zcosg * zcosi * zsinh;
         a7  =  -zcosg * zsinh + zsing * zcosi * zcosh;
         a8  =   zsing * zsini;
         a9  =   zsing * zsinh + zcosg * zcosi * zcosh;
         a10 =   zcosg * zsini;
         a2  =   cosim * a7 + sinim * a8;
         a4  =   cosim * a9 + sinim * a10;
         a5  =  -sinim * a7 + cosim * a8;
         a6  =  -sinim * a9 + cosim * a10;
         x1  =  a1 * cosomm + a2 * sinomm;
         x2  =  a3 * cosomm + a4 * sinomm;
         x3  = -a1 * sinomm + a2 * cosomm;
         x4  = -a3 * sinomm + a4 * cosomm;
         x5  =  a5 * sinomm;
         x6  =  a6 * sinomm;
         x7  =  a5 * cosomm;
         x8  =  a6 * cosomm;
         z31 = 12.0 * x1 * x1 - 3.0 * x3 * x3;
         z32 = 24.0 * x1 * x2 - 6.0 * x3 * x4;
         z33 = 12.0 * x2 * x2 - 3.0 * x4 * x4;
         z1  =  3.0 *  (a1 * a1 + a2 * a2) + z31 * emsq;
         z2  =  6.0 *  (a1 * a3 + a2 * a4) + z32 * emsq;
         z3  =  3.0 *  (a3 * a3 + a4 * a4) + z33 * emsq;
         z11 = -6.0 * a1 * a5 + emsq *  (-24.0 * x1 * x7-6.0 * x3 * x5);
         z12 = -6.0 *  (a1 * a6 + a3 * a5) + emsq *\
                (-24.0 * (x2 * x7 + x1 * x8) - 6.0 * (x3 * x6 + x4 * x5));
         z13 = -6.0 * a3 * a6 + emsq * (-24.0 * x2 * x8 - 6.0 * x4 * x6);
         z21 =  6.0 * a2 * a5 + emsq * (24.0 * x1 * x5 - 6.0 * x3 * x7);
         z22 =  6.0 *  (a4 * a5 + a2 * a6) + emsq *\
                (24.0 * (x2 * x5 + x1 * x6) - 6.0 * (x4 * x7 + x3 * x8));
         z23 =  6.0 * a4 * a6 + emsq * (24.0 * x2 * x6 - 6.0 * x4 * x8);
         z1  = z1 + z1 + betasq * z31;
         z2  = z2 + z2 + betasq * z32;
         z3  = z3 + z3 + betasq * z33;
         s3  = cc * xnoi;
         s2  = -0.5 * s3 / rtemsq;
         s4  = s3 * rtemsq;
         s1  = -15.0 * em * s4;
         s5  = x1 * x3 + x2 * x4;
         s6  = x2 * x3 + x1 * x4;
         s7  = x2 * x4 - x1 * x3;
         if lsflg == 1:
             ss1   = s1;
             ss2   = s2;
             ss3   = s3;
             ss4   = s4;
             ss5   = s5;
             ss6   = s6;
             ss7   = s7;
             sz1   = z1;
             sz2   = z2;
             sz3   = z3;
             sz11  = z11;
             sz12  = z12;
             sz13  = z13;
             sz21  = z21;
             sz22  = z22;
             sz23  = z23;
             sz31  = z31;
             sz32  = z32;
             sz33  = z33;
             zcosg = zcosgl;
             zsing = zsingl;
             zcosi = zcosil;
             zsini = zsinil;
             zcosh = zcoshl * cnodm + zsinhl * snodm;
             zsinh = snodm * zcoshl - cnodm * zsinhl;
             cc    = c1l;
     zmol = (4.7199672 + 0.22997150  * day - gam) % twopi
     zmos = (6.2565837 + 0.017201977 * day) % twopi
     se2  =   2.0 * ss1 * ss6;
     se3  =   2.0 * ss1 * ss7;
     si2  =   2.0 * ss2 * sz12;
     si3  =   2.0 * ss2 * (sz13 - sz11);
     sl2  =  -2.0 * ss3 * sz2;
     sl3  =  -2.0 * ss3 * (sz3 - sz1);
     sl4  =  -2.0 * ss3 * (-21.0 - 9.0 * emsq) * zes;
     sgh2 =   2.0 * ss4 * sz32;
     sgh3 =   2.0 * ss4 * (sz33 - sz31);
     sgh4 = -18.0 * ss4 * zes;
     sh2  =  -2.0 * ss2 * sz22;
     sh3  =  -2.0 * ss2 * (sz23 - sz21);
     ee2  =   2.0 * s1 * s6;
     e3   =   2.0 * s1 * s7;
     xi2  =   2.0 * s2 * z12;
     xi3  =   2.0 * s2 * (z13 - z11);
     xl2  =  -2.0 * s3 * z2;
     xl3  =  -2.0 * s3 * (z3 - z1);
     xl4  =  -2.0 * s3 * (-21.0 - 9.0 * emsq) * zel;
     xgh2 =   2.0 * s4 * z32;
     xgh3 =   2.0 * s4 * (z33 - z31);
     xgh4 = -18.0 * s4 * zel;
     xh2  =  -2.0 * s2 * z22;
     xh3  =  -2.0 * s2 * (z23 - z21);
     return (
       snodm, cnodm, sinim,  cosim, sinomm,
       cosomm,day,   e3,     ee2,   em,
       emsq,  gam,   peo,    pgho,  pho,
       pinco, plo,   rtemsq, se2,   se3,
       sgh2,  sgh3,  sgh4,   sh2,   sh3,
       si2,   si3,   sl2,    sl3,   sl4,
       s1,    s2,    s3,     s4,    s5,
       s6,    s7,    ss1,    ss2,   ss3,
       ss4,   ss5,   ss6,    ss7,   sz1,
       sz2,   sz3,   sz11,   sz12,  sz13,
       sz21,  sz22,  sz23,   sz31,  sz32,
       sz33,  xgh2,  xgh3,   xgh4,  xh2,
       xh3,   xi2,   xi3,    xl2,   xl3,
       xl4,   nm,    z1,     z2,    z3,
       z11,   z12,   z13,    z21,   z22,
       z23,   z31,   z32,    z33,   zmol,
       zmos
       )
@njit(cache=True, fastmath=_FASTMATH, error_model='numpy')
def _dsinit(
       xke,
       cosim,  emsq,   argpo,   s1,     s2,
       s3,     s4,     s5,      sinim,  ss1,
       ss2,    ss3,    ss4,     ss5,    sz1,
       sz3,    sz11,   sz13,    sz21,   sz23,
       sz31,   sz33,   t,       tc,     gsto,
       mo,     mdot,   no,      nodeo,  nodedot,
       xpidot, z1,     z3,      z11,    z13,
       z21,    z23,    z31,     z33,    ecco,
       eccsq,  em,    argpm,  inclm, mm,
       nm,    nodem,
       irez,
       atime, d2201, d2211,  d3210, d3222,
       d4410, d4422, d5220,  d5232, d5421,
       d5433, dedt,  didt,   dmdt,
       dnodt, domdt, del1,   del2,  del3,
       xfact, xlamo, xli,    xni,
     ):
     q22    = 1.7891679e-6;
     q31    = 2.1460748e-6;
     q33    = 2.2123015e-7;
     root22 = 1.7891679e-6;
     root44 = 7.3636953e-9;
     root54 = 2.1765803e-9;
     rptim  = 4.37526908801129966e-3;
     root32 = 3.7393792e-7;
     root52 = 1.1428639e-7;
     x2o3   = 2.0 / 3.0;
     znl    = 1.5835218e-4;
     zns    = 1.19459e-5;
     irez = 0;
     if 0.0034906585 < nm < 0.0052359877:
         irez = 1;
     if 8.26e-3 <= nm <= 9.24e-3 and em >= 0.5:
         irez = 2;
     ses  =  ss1 * zns * ss5;
     sis  =  ss2 * zns * (sz11 + sz13);
     sls  = -zns * ss3 * (sz1 + sz3 - 14.0 - 6.0 * emsq);
     sghs =  ss4 * zns * (sz31 + sz33 - 6.0);
     shs  = -zns * ss2 * (sz21 + sz23);
     if inclm < 5.2359877e-2 or inclm > pi - 5.2359877e-2:
       shs = 0.0;
     if sinim != 0.0:
       shs = shs / sinim;
     sgs  = sghs - cosim * shs;
     dedt = ses + s1 * znl * s5;
     didt = sis + s2 * znl * (z11 + z13);
     dmdt = sls - znl * s3 * (z1 + z3 - 14.0 - 6.0 * emsq);
     sghl = s4 * znl * (z31 + z33 - 6.0);
     shll = -znl * s2 * (z21 + z23);
     if inclm < 5.2359877e-2 or inclm > pi - 5.2359877e-2:
         shll = 0.0;
     domdt = sgs + sghl;
     dnodt = shs;
     if sinim != 0.0:
         domdt = domdt - cosim / sinim * shll;
         dnodt = dnodt + shll / sinim;
     dndt   = 0.0;
     theta  = (gsto + tc * rptim) % twopi
     em     = em + dedt * t;
     inclm  = inclm + didt * t;
     argpm  = argpm + domdt * t;
     nodem  = nodem + dnodt * t;
     mm     = mm + dmdt * t;
     if irez != 0:
         aonv = pow(nm / xke, x2o3);
         if irez == 2:
             cosisq = cosim * cosim;
             emo    = em;
             em     = ecco;
             emsqo  = emsq;
             emsq   = eccsq;
             eoc    = em * emsq;
             g201   = -0.306 - (em - 0.64) * 0.440;
             if em <= 0.65:
                 g211 =    3.616  -  13.2470 * em +  16.2900 * emsq;
                 g310 =  -19.302  + 117.3900 * em - 228.4190 * emsq +  156.5910 * eoc;
                 g322 =  -18.9068 + 109.7927 * em - 214.6334 * emsq +  146.5816 * eoc;
                 g410 =  -41.122  + 242.6940 * em - 471.0940 * emsq +  313.9530 * eoc;
                 g422 = -146.407  + 841.8800 * em - 1629.014 * emsq + 1083.4350 * eoc;
                 g520 = -532.114  + 3017.977 * em - 5740.032 * emsq + 3708.2760 * eoc;
             else:
                 g211 =   -72.099 +   331.819 * em -   508.738 * emsq +   266.724 * eoc;
                 g310 =  -346.844 +  1582.851 * em -  2415.925 * emsq +  1246.113 * eoc;
                 g322 =  -342.585 +  1554.908 * em -  2366.899 * emsq +  1215.972 * eoc;
                 g410 = -1052.797 +  4758.686 * em -  7193.992 * emsq +  3651.957 * eoc;
                 g422 = -3581.690 + 16178.110 * em - 24462.770 * emsq + 12422.520 * eoc;
                 if em > 0.715:
                     g520 =-5149.66 + 29936.92 * em - 54087.36 * emsq + 31324.56 * eoc;
                 else:
                     g520 = 1464.74 -  4664.75 * em +  3763.64 * emsq;
             if em < 0.7:
                 g533 = -919.22770 + 4988.6100 * em - 9064.7700 * emsq + 5542.21  * eoc;
                 g521 = -822.71072 + 4568.6173 * em - 8491.4146 * emsq + 5337.524 * eoc;
                 g532 = -853.66600 + 4690.2500 * em - 8624.7700 * emsq + 5341.4  * eoc;
             else:
                 g533 =-37995.780 + 161616.52 * em - 229838.20 * emsq + 109377.94 * eoc;
                 g521 =-51752.104 + 218913.95 * em - 309468.16 * emsq + 146349.42 * eoc;
                 g532 =-40023.880 + 170470.89 * em - 242699.48 * emsq + 115605.82 * eoc;
             sini2=  sinim * sinim;
             f220 =  0.75 * (1.0 + 2.0 * cosim+cosisq);
             f221 =  1.5 * sini2;
             f321 =  1.875 * sinim  *  (1.0 - 2.0 * cosim - 3.0 * cosisq);
             f322 = -1.875 * sinim  *  (1.0 + 2.0 * cosim - 3.0 * cosisq);
             f441 = 35.0 * sini2 * f220;
             f442 = 39.3750 * sini2 * sini2;
             f522 =  9.84375 * sinim * (sini2 * (1.0 - 2.0 * cosim- 5.0 * cosisq) +
                     0.33333333 * (-2.0 + 4.0 * cosim + 6.0 * cosisq) );
             f523 = sinim * (4.92187512 * sini2 * (-2.0 - 4.0 * cosim +
                    10.0 * cosisq) + 6.56250012 * (1.0+2.0 * cosim - 3.0 * cosisq));
             f542 = 29.53125 * sinim * (2.0 - 8.0 * cosim+cosisq *
                    (-12.0 + 8.0 * cosim + 10.0 * cosisq));
             f543 = 29.53125 * sinim * (-2.0 - 8.0 * cosim+cosisq *
                    (12.0 + 8.0 * cosim - 10.0 * cosisq));
             xno2  =  nm * nm;
             ainv2 =  aonv * aonv;
             temp1 =  3.0 * xno2 * ainv2;
             temp  =  temp1 * root22;
             d2201 =  temp * f220 * g201;
             d2211 =  temp * f221 * g211;
             temp1 =  temp1 * aonv;
             temp  =  temp1 * root32;
             d3210 =  temp * f321 * g310;
             d3222 =  temp * f322 * g322;
             temp1 =  temp1 * aonv;
             temp  =  2.0 * temp1 * root44;
             d4410 =  temp * f441 * g410;
             d4422 =  temp * f442 * g422;
             temp1 =  temp1 * aonv;
             temp  =  temp1 * root52;
             d5220 =  temp * f522 * g520;
             d5232 =  temp * f523 * g532;
             temp  =  2.0 * temp1 * root54;
             d5421 =  temp * f542 * g521;
             d5433 =  temp * f543 * g533;
             xlamo =  (mo + nodeo + nodeo-theta - theta) % twopi
             xfact =  mdot + dmdt + 2.0 * (nodedot + dnodt - rptim) - no;
             em    = emo;
             emsq  = emsqo;
         if irez == 1:
             g200  = 1.0 + emsq * (-2.5 + 0.8125 * emsq);
             g310  = 1.0 + 2.0 * emsq;
             g300  = 1.0 + emsq * (-6.0 + 6.60937 * emsq);
             f220  = 0.75 * (1.0 + cosim) * (1.0 + cosim);
             f311  = 0.9375 * sinim * sinim * (1.0 + 3.0 * cosim) - 0.75 * (1.0 + cosim);
             f330  = 1.0 + cosim;
             f330  = 1.875 * f330 * f330 * f330;
             del1  = 3.0 * nm * nm * aonv * aonv;
             del2  = 2.0 * del1 * f220 * g200 * q22;
             del3  = 3.0 * del1 * f330 * g300 * q33 * aonv;
             del1  = del1 * f311 * g310 * q31 * aonv;
             xlamo = (mo + nodeo + argpo - theta) % twopi
             xfact = mdot + xpidot - rptim + dmdt + domdt + dnodt - no;
         xli   = xlamo;
         xni   = no;
         atime = 0.0;
         nm    = no + dndt;
     return (
       em,    argpm,  inclm, mm,
       nm,    nodem,
       irez, atime,
       d2201, d2211,  d3210, d3222,
       d4410, d4422, d5220,  d5232,
       d5421, d5433, dedt,  didt,
       dmdt,  dndt, dnodt, domdt,
       del1,   del2,  del3, xfact,
       xlamo, xli,    xni,
       )
@njit(cache=True, fastmath=_FASTMATH, error_model='numpy')
def _dspace(
       irez,
       d2201,  d2211,  d3210,   d3222,  d4410,
       d4422,  d5220,  d5232,   d5421,  d5433,
       dedt,   del1,   del2,    del3,   didt,
       dmdt,   dnodt,  domdt,   argpo,  argpdot,
       t,      tc,     gsto,    xfact,  xlamo,
       no,
       atime, em,    argpm,  inclm, xli,
       mm,    xni,   nodem,  nm,
       ):
     fasx2 = 0.13130908;
     fasx4 = 2.8843198;
     fasx6 = 0.37448087;
     g22   = 5.7686396;
     g32   = 0.95240898;
     g44   = 1.8014998;
     g52   = 1.0508330;
     g54   = 4.4108898;
     rptim = 4.37526908801129966e-3;
     stepp =    720.0;
     stepn =   -720.0;
     step2 = 259200.0;
     dndt   = 0.0;
     theta  = _mod2pi(gsto + tc * rptim)
     em     = em + dedt * t;
     inclm  = inclm + didt * t;
     argpm  = argpm + domdt * t;
     nodem  = nodem + dnodt * t;
     mm     = mm + dmdt * t;
     ft    = 0.0;
     if irez != 0:
         if atime == 0.0 or t * atime <= 0.0 or fabs(t) < fabs(atime):
             atime  = 0.0;
             xni    = no;
             xli    = xlamo;
         if t > 0.0:
               delt = stepp;
         else:
               delt = stepn;
         iretn = 381;
         while iretn == 381:
             if irez != 2:
                 xndt  = del1 * sin(xli - fasx2) + del2 * sin(2.0 * (xli - fasx4)) +\
                         del3 * sin(3.0 * (xli - fasx6));
                 xldot = xni + xfact;
                 xnddt = del1 * cos(xli - fasx2) +\
                         2.0 * del2 * cos(2.0 * (xli - fasx4)) +\
                         3.0 * del3 * cos(3.0 * (xli - fasx6));
                 xnddt = xnddt * xldot;
             else:
                 xomi  = argpo + argpdot * atime;
                 x2omi = xomi + xomi;
                 x2li  = xli + xli;
                 xndt  = (d2201 * sin(x2omi + xli - g22) + d2211 * sin(xli - g22) +
                       d3210 * sin(xomi + xli - g32)  + d3222 * sin(-xomi + xli - g32)+
                       d4410 * sin(x2omi + x2li - g44)+ d4422 * sin(x2li - g44) +
                       d5220 * sin(xomi + xli - g52)  + d5232 * sin(-xomi + xli - g52)+
                       d5421 * sin(xomi + x2li - g54) + d5433 * sin(-xomi + x2li - g54));
                 xldot = xni + xfact;
                 xnddt = (d2201 * cos(x2omi + xli - g22) + d2211 * cos(xli - g22) +
                       d3210 * cos(xomi + xli - g32) + d3222 * cos(-xomi + xli - g32) +
                       d5220 * cos(xomi + xli - g52) + d5232 * cos(-xomi + xli - g52) +
                       2.0 * (d4410 * cos(x2omi + x2li - g44) +
                       d4422 * cos(x2li - g44) + d5421 * cos(xomi + x2li - g54) +
                       d5433 * cos(-xomi + x2li - g54)));
                 xnddt = xnddt * xldot;
             if fabs(t - atime) >= stepp:
                 iretn = 381;
             else:
                 ft    = t - atime;
                 iretn = 0;
             if iretn == 381:
                 xli   = xli + xldot * delt + xndt * step2;
                 xni   = xni + xndt * delt + xnddt * step2;
                 atime = atime + delt;
         nm = xni + xndt * ft + xnddt * ft * ft * 0.5;
         xl = xli + xldot * ft + xndt * ft * ft * 0.5;
         if irez != 1:
             mm   = xl - 2.0 * nodem + 2.0 * theta;
             dndt = nm - no;
         else:
             mm   = xl - nodem - argpm + theta;
             dndt = nm - no;
         nm = no + dndt;
     return (
       atime, em,    argpm,  inclm, xli,
       mm,    xni,   nodem,  dndt,  nm,
       )
@njit(cache=True, fastmath=_FASTMATH, error_model='numpy')
def _initl(
       xke, j2,
       ecco,   epoch,  inclo,   no,
       method,
       opsmode,
       ):
     x2o3   = 2.0 / 3.0;
     eccsq  = ecco * ecco;
     omeosq = 1.0 - eccsq;
     rteosq = sqrt(omeosq);
     cosio  = cos(inclo);
     cosio2 = cosio * cosio;
     ak    = pow(xke / no, x2o3);
     d1    = 0.75 * j2 * (3.0 * cosio2 - 1.0) / (rteosq * omeosq);
     del_  = d1 / (ak * ak);
     adel  = ak * (1.0 - del_ * del_ - del_ *
             (1.0 / 3.0 + 134.0 * del_ * del_ / 81.0));
     del_  = d1/(adel * adel);
     no    = no / (1.0 + del_);
     ao    = pow(xke / no, x2o3);
     sinio = sin(inclo);
     po    = ao * omeosq;
     con42 = 1.0 - 5.0 * cosio2;
     con41 = -con42-cosio2-cosio2;
     ainv  = 1.0 / ao;
     posq  = po * po;
     rp    = ao * (1.0 - ecco);
     method = 0;
     if opsmode == 0:
         ts70  = epoch - 7305.0;
         ds70 = (ts70 + 1.0e-8) // 1.0;
         tfrac = ts70 - ds70;
         c1    = 1.72027916940703639e-2;
         thgr70= 1.7321343856509374;
         fk5r  = 5.07551419432269442e-15;
         c1p2p = c1 + twopi;
         gsto  = (thgr70 + c1*ds70 + c1p2p*tfrac + ts70*ts70*fk5r) % twopi
         if gsto < 0.0:
             gsto = gsto + twopi;
     else:
        gsto = _gstime(epoch + 2433281.5);
     return (
       no,
       method,
       ainv,  ao,    con41,  con42, cosio,
       cosio2,eccsq, omeosq, posq,
       rp,    rteosq,sinio , gsto,
       )
@njit(cache=True, fastmath=_FASTMATH, error_model='numpy')
def sgp4init(
       opsmode,   epoch,
       xbstar,   xndot,   xnddot,   xecco,   xargpo,
       xinclo,   xmo,   xno_kozai,
       xnodeo,  satrec,
       ):
     temp4    =   1.5e-12;
     satrec.isimp   = 0;   satrec.method = 0; satrec.aycof    = 0.0;
     satrec.con41   = 0.0; satrec.cc1    = 0.0; satrec.cc4      = 0.0;
     satrec.cc5     = 0.0; satrec.d2     = 0.0; satrec.d3       = 0.0;
     satrec.d4      = 0.0; satrec.delmo  = 0.0; satrec.eta      = 0.0;
     satrec.argpdot = 0.0; satrec.omgcof = 0.0; satrec.sinmao   = 0.0;
     satrec.t       = 0.0; satrec.t2cof  = 0.0; satrec.t3cof    = 0.0;
     satrec.t4cof   = 0.0; satrec.t5cof  = 0.0; satrec.x1mth2   = 0.0;
     satrec.x7thm1  = 0.0; satrec.mdot   = 0.0; satrec.nodedot  = 0.0;
     satrec.xlcof   = 0.0; satrec.xmcof  = 0.0; satrec.nodecf   = 0.0;
     satrec.irez  = 0;   satrec.d2201 = 0.0; satrec.d2211 = 0.0;
     satrec.d3210 = 0.0; satrec.d3222 = 0.0; satrec.d4410 = 0.0;
     satrec.d4422 = 0.0; satrec.d5220 = 0.0; satrec.d5232 = 0.0;
     satrec.d5421 = 0.0; satrec.d5433 = 0.0; satrec.dedt  = 0.0;
     satrec.del1  = 0.0; satrec.del2  = 0.0; satrec.del3  = 0.0;
     satrec.didt  = 0.0; satrec.dmdt  = 0.0; satrec.dnodt = 0.0;
     satrec.domdt = 0.0; satrec.e3    = 0.0; satrec.ee2   = 0.0;
     satrec.peo   = 0.0; satrec.pgho  = 0.0; satrec.pho   = 0.0;
     satrec.pinco = 0.0; satrec.plo   = 0.0; satrec.se2   = 0.0;
     satrec.se3   = 0.0; satrec.sgh2  = 0.0; satrec.sgh3  = 0.0;
     satrec.sgh4  = 0.0; satrec.sh2   = 0.0; satrec.sh3   = 0.0;
     satrec.si2   = 0.0; satrec.si3   = 0.0; satrec.sl2   = 0.0;
     satrec.sl3   = 0.0; satrec.sl4   = 0.0; satrec.gsto  = 0.0;
     satrec.xfact = 0.0; satrec.xgh2  = 0.0; satrec.xgh3  = 0.0;
     satrec.xgh4  = 0.0; satrec.xh2   = 0.0; satrec.xh3   = 0.0;
     satrec.xi2   = 0.0; satrec.xi3   = 0.0; satrec.xl2   = 0.0;
     satrec.xl3   = 0.0; satrec.xl4   = 0.0; satrec.xlamo = 0.0;
     satrec.zmol  = 0.0; satrec.zmos  = 0.0; satrec.atime = 0.0;
     satrec.xli   = 0.0; satrec.xni   = 0.0;
     satrec.tumin = _TUMIN
     satrec.mu = _MU
     satrec.radiusearthkm = _RADIUSEARTHKM
     satrec.xke = _XKE
     satrec.j2 = _J2
     satrec.j3 = _J3
     satrec.j4 = _J4
     satrec.j3oj2 = _J3OJ2
     satrec.error = 0;
     satrec.operationmode = opsmode;
     satrec.bstar   = xbstar;
     satrec.ndot    = xndot;
     satrec.nddot   = xnddot;
     satrec.ecco    = xecco;
     satrec.argpo   = xargpo;
     satrec.inclo   = xinclo;
     satrec.mo     = xmo;
     satrec.no_kozai= xno_kozai;
     satrec.nodeo   = xnodeo;
     satrec.am = 0.0
     satrec.em = 0.0
     satrec.im = 0.0
     satrec.Om = 0.0
     satrec.mm = 0.0
     satrec.nm = 0.0
     ss     = 78.0 / satrec.radiusearthkm + 1.0;
     qzms2ttemp = (120.0 - 78.0) / satrec.radiusearthkm;
     qzms2t = qzms2ttemp * qzms2ttemp * qzms2ttemp * qzms2ttemp;
     x2o3   =  2.0 / 3.0;
     satrec.init = 1;
     satrec.t  = 0.0;
     (
       satrec.no_unkozai,
       method,
       ainv,  ao,    satrec.con41,  con42, cosio,
       cosio2,eccsq, omeosq, posq,
       rp,    rteosq,sinio , satrec.gsto,
       ) = _initl(
           satrec.xke, satrec.j2, satrec.ecco, epoch, satrec.inclo, satrec.no_kozai, satrec.method,
           satrec.operationmode
         );
     satrec.a    = pow( satrec.no_unkozai*satrec.tumin , (-2.0/3.0) );
     satrec.alta = satrec.a*(1.0 + satrec.ecco) - 1.0;
     satrec.altp = satrec.a*(1.0 - satrec.ecco) - 1.0;
     if omeosq >= 0.0 or satrec.no_unkozai >= 0.0:
         satrec.isimp = 0;
         if rp < 220.0 / satrec.radiusearthkm + 1.0:
             satrec.isimp = 1;
         sfour  = ss;
         qzms24 = qzms2t;
         perige = (rp - 1.0) * satrec.radiusearthkm;
         if perige < 156.0:
             sfour = perige - 78.0;
             if perige < 98.0:
                 sfour = 20.0;
             qzms24temp =  (120.0 - sfour) / satrec.radiusearthkm;
             qzms24 = qzms24temp * qzms24temp * qzms24temp * qzms24temp;
             sfour  = sfour / satrec.radiusearthkm + 1.0;
         pinvsq = 1.0 / posq;
         tsi  = 1.0 / (ao - sfour);
         satrec.eta  = ao * satrec.ecco * tsi;
         etasq = satrec.eta * satrec.eta;
         eeta  = satrec.ecco * satrec.eta;
         psisq = fabs(1.0 - etasq);
         coef  = qzms24 * pow(tsi, 4.0);
         coef1 = coef / pow(psisq, 3.5);
         cc2   = coef1 * satrec.no_unkozai * (ao * (1.0 + 1.5 * etasq + eeta *
                        (4.0 + etasq)) + 0.375 * satrec.j2 * tsi / psisq * satrec.con41 *
                        (8.0 + 3.0 * etasq * (8.0 + etasq)));
         satrec.cc1   = satrec.bstar * cc2;
         cc3   = 0.0;
         if satrec.ecco > 1.0e-4:
             cc3 = -2.0 * coef * tsi * satrec.j3oj2 * satrec.no_unkozai * sinio / satrec.ecco;
         satrec.x1mth2 = 1.0 - cosio2;
         satrec.cc4    = 2.0* satrec.no_unkozai * coef1 * ao * omeosq *\
                           (satrec.eta * (2.0 + 0.5 * etasq) + satrec.ecco *
                           (0.5 + 2.0 * etasq) - satrec.j2 * tsi / (ao * psisq) *
                           (-3.0 * satrec.con41 * (1.0 - 2.0 * eeta + etasq *
                           (1.5 - 0.5 * eeta)) + 0.75 * satrec.x1mth2 *
                           (2.0 * etasq - eeta * (1.0 + etasq)) * cos(2.0 * satrec.argpo)));
         satrec.cc5 = 2.0 * coef1 * ao * omeosq * (1.0 + 2.75 *
                        (etasq + eeta) + eeta * etasq);
         cosio4 = cosio2 * cosio2;
         temp1  = 1.5 * satrec.j2 * pinvsq * satrec.no_unkozai;
         temp2  = 0.5 * temp1 * satrec.j2 * pinvsq;
         temp3  = -0.46875 * satrec.j4 * pinvsq * pinvsq * satrec.no_unkozai;
         satrec.mdot     = satrec.no_unkozai + 0.5 * temp1 * rteosq * satrec.con41 + 0.0625 *\
                            temp2 * rteosq * (13.0 - 78.0 * cosio2 + 137.0 * cosio4);
         satrec.argpdot  = (-0.5 * temp1 * con42 + 0.0625 * temp2 *
                             (7.0 - 114.0 * cosio2 + 395.0 * cosio4) +
                             temp3 * (3.0 - 36.0 * cosio2 + 49.0 * cosio4));
         xhdot1            = -temp1 * cosio;
         satrec.nodedot = xhdot1 + (0.5 * temp2 * (4.0 - 19.0 * cosio2) +
                              2.0 * temp3 * (3.0 - 7.0 * cosio2)) * cosio;
         xpidot            =  satrec.argpdot+ satrec.nodedot;
         satrec.omgcof   = satrec.bstar * cc3 * cos(satrec.argpo);
         satrec.xmcof    = 0.0;
         if satrec.ecco > 1.0e-4:
             satrec.xmcof = -x2o3 * coef * satrec.bstar / eeta;
         satrec.nodecf = 3.5 * omeosq * xhdot1 * satrec.cc1;
         satrec.t2cof   = 1.5 * satrec.cc1;
         if fabs(cosio+1.0) > 1.5e-12:
             satrec.xlcof = -0.25 * satrec.j3oj2 * sinio * (3.0 + 5.0 * cosio) / (1.0 + cosio);
         else:
             satrec.xlcof = -0.25 * satrec.j3oj2 * sinio * (3.0 + 5.0 * cosio) / temp4;
         satrec.aycof   = -0.5 * satrec.j3oj2 * sinio;
         delmotemp = 1.0 + satrec.eta * cos(satrec.mo);
         satrec.delmo   = delmotemp * delmotemp * delmotemp;
         satrec.sinmao  = sin(satrec.mo);
         satrec.x7thm1  = 7.0 * cosio2 - 1.0;
         if 2*pi / satrec.no_unkozai >= 225.0:
             satrec.method = 1;
             satrec.isimp  = 1;
             tc    =  0.0;
             inclm = satrec.inclo;
             (
                 snodm, cnodm, sinim,  cosim, sinomm,
                 cosomm,day,   satrec.e3,     satrec.ee2,   em,
                 emsq,  gam,   satrec.peo,    satrec.pgho,  satrec.pho,
                 satrec.pinco, satrec.plo,   rtemsq, satrec.se2,   satrec.se3,
                 satrec.sgh2, satrec.sgh3, satrec.sgh4, satrec.sh2, satrec.sh3,
                 satrec.si2,  satrec.si3,  satrec.sl2, satrec.sl3, satrec.sl4,
                 s1,    s2,    s3,     s4,    s5,
                 s6,    s7,    ss1,    ss2,   ss3,
                 ss4,   ss5,   ss6,    ss7,   sz1,
                 sz2,   sz3,   sz11,   sz12,  sz13,
                 sz21,  sz22,  sz23,   sz31,  sz32,
                 sz33,  satrec.xgh2, satrec.xgh3, satrec.xgh4, satrec.xh2,
                 satrec.xh3, satrec.xi2, satrec.xi3, satrec.xl2, satrec.xl3,
                 satrec.xl4,   nm,    z1,     z2,    z3,
                 z11,   z12,   z13,    z21,   z22,
                 z23,   z31,   z32,    z33,   satrec.zmol,
                 satrec.zmos
             ) = _dscom(
                   epoch, satrec.ecco, satrec.argpo, tc, satrec.inclo, satrec.nodeo,
                   satrec.no_unkozai,
                   satrec.e3, satrec.ee2,
                   satrec.peo,  satrec.pgho,   satrec.pho, satrec.pinco,
                   satrec.plo,        satrec.se2, satrec.se3,
                   satrec.sgh2, satrec.sgh3,   satrec.sgh4,
                   satrec.sh2,  satrec.sh3,    satrec.si2, satrec.si3,
                   satrec.sl2,  satrec.sl3,    satrec.sl4,
                   satrec.xgh2, satrec.xgh3,   satrec.xgh4, satrec.xh2,
                   satrec.xh3,  satrec.xi2,    satrec.xi3,  satrec.xl2,
                   satrec.xl3,  satrec.xl4,
                   satrec.zmol, satrec.zmos
                 );
             (satrec.ecco, satrec.inclo, satrec.nodeo, satrec.argpo, satrec.mo
              ) = _dpper(
                   satrec, inclm, satrec.init,
                   satrec.ecco, satrec.inclo, satrec.nodeo, satrec.argpo, satrec.mo,
                   satrec.operationmode
                 );
             argpm  = 0.0;
             nodem  = 0.0;
             mm     = 0.0;
             (
                 em,    argpm,  inclm, mm,
                 nm,    nodem,
                 satrec.irez,  satrec.atime,
                 satrec.d2201, satrec.d2211, satrec.d3210, satrec.d3222,
                 satrec.d4410, satrec.d4422, satrec.d5220, satrec.d5232,
                 satrec.d5421, satrec.d5433, satrec.dedt,  satrec.didt,
                 satrec.dmdt, dndt,  satrec.dnodt, satrec.domdt,
                 satrec.del1,  satrec.del2,  satrec.del3,  satrec.xfact,
                 satrec.xlamo, satrec.xli,   satrec.xni
             ) = _dsinit(
                   satrec.xke,
                   cosim, emsq, satrec.argpo, s1, s2, s3, s4, s5, sinim, ss1, ss2, ss3, ss4,
                   ss5, sz1, sz3, sz11, sz13, sz21, sz23, sz31, sz33, satrec.t, tc,
                   satrec.gsto, satrec.mo, satrec.mdot, satrec.no_unkozai, satrec.nodeo,
                   satrec.nodedot, xpidot, z1, z3, z11, z13, z21, z23, z31, z33,
                   satrec.ecco, eccsq, em, argpm, inclm, mm, nm, nodem,
                   satrec.irez,  satrec.atime,
                   satrec.d2201, satrec.d2211, satrec.d3210, satrec.d3222 ,
                   satrec.d4410, satrec.d4422, satrec.d5220, satrec.d5232,
                   satrec.d5421, satrec.d5433, satrec.dedt,  satrec.didt,
                   satrec.dmdt,  satrec.dnodt, satrec.domdt,
                   satrec.del1,  satrec.del2,  satrec.del3,  satrec.xfact,
                   satrec.xlamo, satrec.xli,   satrec.xni
                 );
         if satrec.isimp != 1:
           cc1sq          = satrec.cc1 * satrec.cc1;
           satrec.d2    = 4.0 * ao * tsi * cc1sq;
           temp           = satrec.d2 * tsi * satrec.cc1 / 3.0;
           satrec.d3    = (17.0 * ao + sfour) * temp;
           satrec.d4    = 0.5 * temp * ao * tsi * (221.0 * ao + 31.0 * sfour) *\
                            satrec.cc1;
           satrec.t3cof = satrec.d2 + 2.0 * cc1sq;
           satrec.t4cof = 0.25 * (3.0 * satrec.d3 + satrec.cc1 *
                            (12.0 * satrec.d2 + 10.0 * cc1sq));
           satrec.t5cof = 0.2 * (3.0 * satrec.d4 +
                            12.0 * satrec.cc1 * satrec.d3 +
                            6.0 * satrec.d2 * satrec.d2 +
                            15.0 * cc1sq * (2.0 * satrec.d2 + cc1sq));
     satrec.c_amk = pow((satrec.xke / satrec.no_unkozai), x2o3)
     satrec.c_sinio = sin(satrec.inclo)
     satrec.c_cosio = cos(satrec.inclo)
     sgp4(satrec, 0.0);
     satrec.init = 0;
     return satrec.error
@njit(cache=True, fastmath=_FASTMATH, error_model='numpy')
def sgp4(satrec, tsince):
     mrt = 0.0
     temp4 =   1.5e-12;
     twopi = 2.0 * pi;
     x2o3  = 2.0 / 3.0;
     vkmpersec     = satrec.radiusearthkm * satrec.xke/60.0;
     satrec.t     = tsince;
     satrec.error = 0;
     xmdf    = satrec.mo + satrec.mdot * satrec.t;
     argpdf  = satrec.argpo + satrec.argpdot * satrec.t;
     nodedf  = satrec.nodeo + satrec.nodedot * satrec.t;
     argpm   = argpdf;
     mm      = xmdf;
     t2      = satrec.t * satrec.t;
     nodem   = nodedf + satrec.nodecf * t2;
     tempa   = 1.0 - satrec.cc1 * satrec.t;
     tempe   = satrec.bstar * satrec.cc4 * satrec.t;
     templ   = satrec.t2cof * t2;
     # orbitshare: near-Earth, sin and cos of the mean anomaly come from one sincos of xmdf, rotated by the drag
     # terms added to it (dmm); they also start Kepler's equation below without a libm call
     sinxmdf = 0.0;
     cosxmdf = 1.0;
     dmm     = 0.0;
     if satrec.method != 1:
         sinxmdf, cosxmdf = _sincos(xmdf)
     if satrec.isimp != 1:
         delomg = satrec.omgcof * satrec.t;
         delmtemp =  1.0 + satrec.eta * cosxmdf;
         delm   = satrec.xmcof *\
                  (delmtemp * delmtemp * delmtemp -
                  satrec.delmo);
         temp   = delomg + delm;
         mm     = xmdf + temp;
         dmm    = temp;
         argpm  = argpdf - temp;
         t3     = t2 * satrec.t;
         t4     = t3 * satrec.t;
         tempa  = tempa - satrec.d2 * t2 - satrec.d3 * t3 -\
                          satrec.d4 * t4;
         tempe  = tempe + satrec.bstar * satrec.cc5 * (_rotate_small(sinxmdf, cosxmdf, temp)[0] -
                          satrec.sinmao);
         templ  = templ + satrec.t3cof * t3 + t4 * (satrec.t4cof +
                          satrec.t * satrec.t5cof);
     nm    = satrec.no_unkozai;
     em    = satrec.ecco;
     inclm = satrec.inclo;
     if satrec.method == 1:
         tc = satrec.t;
         (
             atime, em,    argpm,  inclm, xli,
             mm,    xni,   nodem,  dndt,  nm,
         ) = _dspace(
               satrec.irez,
               satrec.d2201, satrec.d2211, satrec.d3210,
               satrec.d3222, satrec.d4410, satrec.d4422,
               satrec.d5220, satrec.d5232, satrec.d5421,
               satrec.d5433, satrec.dedt,  satrec.del1,
               satrec.del2,  satrec.del3,  satrec.didt,
               satrec.dmdt,  satrec.dnodt, satrec.domdt,
               satrec.argpo, satrec.argpdot, satrec.t, tc,
               satrec.gsto, satrec.xfact, satrec.xlamo,
               satrec.no_unkozai, satrec.atime,
               em, argpm, inclm, satrec.xli, mm, satrec.xni,
               nodem, nm
             );
         # orbitshare: the resonance integrator's state is kept, as Vallado's C++ does (by reference) and
         # python-sgp4's Python version does not: the next later time continues from it instead of integrating
         # from epoch again (the same 720-minute steps, so the same values; _dspace restarts for earlier times)
         satrec.atime = atime;
         satrec.xli   = xli;
         satrec.xni   = xni;
     if nm <= 0.0:
         satrec.error = 2;
         return _NAN3, _NAN3, satrec.error
     # orbitshare: near-Earth nm is the constant no_unkozai, so pow(xke/nm, 2/3) is cached at init (same
     # value); am**1.5 as am*sqrt(am) (within an ulp of pow, much faster)
     if satrec.method == 1:
         am = pow((satrec.xke / nm),x2o3) * tempa * tempa;
     else:
         am = satrec.c_amk * tempa * tempa;
     nm = satrec.xke / (am * sqrt(am));
     em = em - tempe;
     if em >= 1.0 or em < -0.001:
         satrec.error = 1;
         return _NAN3, _NAN3, satrec.error
     if em < 1.0e-6:
         em  = 1.0e-6;
     mm     = mm + satrec.no_unkozai * templ;
     dmm    = dmm + satrec.no_unkozai * templ;
     xlm    = mm + argpm + nodem;
     emsq   = em * em;
     temp   = 1.0 - emsq;
     nodem  = _mod2pi(nodem) if nodem >= 0.0 else -_mod2pi(-nodem)
     argpm  = _mod2pi(argpm)
     xlm    = _mod2pi(xlm)
     mm     = _mod2pi(xlm - argpm - nodem)
     satrec.am = am;
     satrec.em = em;
     satrec.im = inclm;
     satrec.Om = nodem;
     satrec.om = argpm;
     satrec.mm = mm;
     satrec.nm = nm;
     ep     = em;
     xincp  = inclm;
     argpp  = argpm;
     nodep  = nodem;
     mp     = mm;
     # orbitshare: near-Earth inclm is the constant inclo (sin/cos cached at init); deep space recomputes
     # them from the perturbed inclination below, as the reference does
     sinip  = satrec.c_sinio;
     cosip  = satrec.c_cosio;
     if satrec.method == 1:
         ep, xincp, nodep, argpp, mp = _dpper(
               satrec, satrec.inclo,
               0, ep, xincp, nodep, argpp, mp, satrec.operationmode
             );
         if xincp < 0.0:
             xincp  = -xincp;
             nodep = nodep + pi;
             argpp  = argpp - pi;
         if ep < 0.0 or ep > 1.0:
             satrec.error = 3;
             return _NAN3, _NAN3, satrec.error
     if satrec.method == 1:
         sinip, cosip = _sincos(xincp)
         satrec.aycof = -0.5*satrec.j3oj2*sinip;
         if fabs(cosip+1.0) > 1.5e-12:
             satrec.xlcof = -0.25 * satrec.j3oj2 * sinip * (3.0 + 5.0 * cosip) / (1.0 + cosip);
         else:
             satrec.xlcof = -0.25 * satrec.j3oj2 * sinip * (3.0 + 5.0 * cosip) / temp4;
     sinargpp, cosargpp = _sincos(argpp)
     axnl = ep * cosargpp;
     temp = 1.0 / (am * (1.0 - ep * ep));
     aynl = ep* sinargpp + temp * satrec.aycof;
     xl   = mp + argpp + nodep + temp * satrec.xlcof * axnl;
     u    = _mod2pi(xl - nodep)
     # orbitshare: sin and cos of each Newton iterate by rotating the previous ones by the step (Taylor terms for
     # steps below 0.01 rad, _rotate_small), and near-Earth those of the first iterate u = mp + argpp + a small
     # term from sin/cos of mp (above) and argpp by the addition formulas: libm is called only for large steps
     if satrec.method != 1:
         sinmp, cosmp = _rotate_small(sinxmdf, cosxmdf, dmm)
         sineo1, coseo1 = _rotate_small(sinmp * cosargpp + cosmp * sinargpp, cosmp * cosargpp - sinmp * sinargpp,
                                        temp * satrec.xlcof * axnl)
     else:
         sineo1, coseo1 = _sincos(u)
     eo1  = u;
     tem5 = 9999.9;
     ktr = 1;
     while fabs(tem5) >= 1.0e-12 and ktr <= 10:
         if ktr > 1:
             if fabs(tem5) < 0.01:
                 sineo1, coseo1 = _rotate_small(sineo1, coseo1, tem5)
             else:
                 sineo1, coseo1 = _sincos(eo1)
         tem5   = 1.0 - coseo1 * axnl - sineo1 * aynl;
         tem5   = (u - aynl * coseo1 + axnl * sineo1 - eo1) / tem5;
         if fabs(tem5) >= 0.95:
             tem5 = 0.95 if tem5 > 0.0 else -0.95;
         eo1    = eo1 + tem5;
         ktr = ktr + 1;
     ecose = axnl*coseo1 + aynl*sineo1;
     esine = axnl*sineo1 - aynl*coseo1;
     el2   = axnl*axnl + aynl*aynl;
     pl    = am*(1.0-el2);
     if pl < 0.0:
         satrec.error = 4;
         return _NAN3, _NAN3, satrec.error
     else:
         rl     = am * (1.0 - ecose);
         rdotl  = sqrt(am) * esine/rl;
         rvdotl = sqrt(pl) / rl;
         betal  = sqrt(1.0 - el2);
         temp   = esine / (1.0 + betal);
         sinu   = am / rl * (sineo1 - aynl - axnl * temp);
         cosu   = am / rl * (coseo1 - axnl + aynl * temp);
         # orbitshare: su = atan2(sinu, cosu) is only used through sin su, cos su after a small correction: they
         # come from the normalised (sinu, cosu) rotated by it (_rotate_small), not from atan2 then sincos
         unorm  = sqrt(sinu * sinu + cosu * cosu);
         sin2u  = (cosu + cosu) * sinu;
         cos2u  = 1.0 - 2.0 * sinu * sinu;
         temp   = 1.0 / pl;
         temp1  = 0.5 * satrec.j2 * temp;
         temp2  = temp1 * temp;
         if satrec.method == 1:
             cosisq                 = cosip * cosip;
             satrec.con41  = 3.0*cosisq - 1.0;
             satrec.x1mth2 = 1.0 - cosisq;
             satrec.x7thm1 = 7.0*cosisq - 1.0;
         mrt   = rl * (1.0 - 1.5 * temp2 * betal * satrec.con41) +\
                 0.5 * temp1 * satrec.x1mth2 * cos2u;
         dsu   = -0.25 * temp2 * satrec.x7thm1 * sin2u;
         xnode = nodep + 1.5 * temp2 * cosip * sin2u;
         dinc  = 1.5 * temp2 * cosip * sinip * cos2u;
         mvt   = rdotl - nm * temp1 * satrec.x1mth2 * sin2u / satrec.xke;
         rvdot = rvdotl + nm * temp1 * (satrec.x1mth2 * cos2u +
                 1.5 * satrec.con41) / satrec.xke;
         sinsu, cossu = _rotate_small(sinu / unorm, cosu / unorm, dsu)
         snod, cnod = _sincos(xnode)
         sini, cosi = _rotate_small(sinip, cosip, dinc)
         xmx   = -snod * cosi;
         xmy   =  cnod * cosi;
         ux    =  xmx * sinsu + cnod * cossu;
         uy    =  xmy * sinsu + snod * cossu;
         uz    =  sini * sinsu;
         vx    =  xmx * cossu - cnod * sinsu;
         vy    =  xmy * cossu - snod * sinsu;
         vz    =  sini * cossu;
         _mr = mrt * satrec.radiusearthkm
         r = (_mr * ux, _mr * uy, _mr * uz)
         v = ((mvt * ux + rvdot * vx) * vkmpersec,
              (mvt * uy + rvdot * vy) * vkmpersec,
              (mvt * uz + rvdot * vz) * vkmpersec)
     if mrt < 1.0:
         satrec.error = 6;
     return r, v, satrec.error

# ------------------------------------------------------------------------------------------------------------
# orbitshare: near-Earth SGP4 over many times of one object in one loop that LLVM vectorises (SIMD lanes over
# times). The arithmetic is the near-Earth path of sgp4() above; sine/cosine pairs come from the inline
# polynomial _sincos_poly (no libm call, no branch), Kepler's equation from a fixed number of Newton steps, and
# the small rotations by exact sine/cosine. A sample the reference would treat differently (an error code,
# a non-finite value, past re-entry, an eccentricity above BATCH_ECC_MAX, Newton not converged) is flagged, and
# the driver computes it again with sgp4(). docs/catalog-and-propagation.md.

_BATCH_FASTMATH = {"contract", "nsz", "afn"}  # 'afn' lets sqrt vectorise; no 'reassoc' (see _SINCOS_FASTMATH)
BATCH_ECC_MAX = 0.2  # osculating eccentricity (sqrt(axnl^2 + aynl^2)) up to which BATCH_NEWTON steps converge
BATCH_NEWTON = 6  # from E = u: the error after k steps is below e^(2^k) / (1 - e): 0.2^32 at e = 0.2
BATCH_NEWTON_TOL = 1e-12  # rad: the last Newton step must be below this, the reference's own criterion (else recomputed)
BATCH_ANGLE_MAX = 5.0e4  # rad: the polynomial sine/cosine is exact to 2 ulp below 1e5 rad; objects whose angles
#                          could exceed this over the times asked go to sgp4() sample by sample


@njit(cache=True, error_model='numpy', inline='always', fastmath=_SINCOS_FASTMATH)
def _newton_step(eo1, u, axnl, aynl):
    """One Newton step of SGP4's Kepler equation (step clamped to 0.95 rad as the reference): (new iterate, step,
    sin and cos of the iterate the step started from)."""
    sineo1, coseo1 = _sincos_poly(eo1)
    tem5 = (u - aynl * coseo1 + axnl * sineo1 - eo1) / (1.0 - coseo1 * axnl - sineo1 * aynl)
    tem5 = 0.95 if tem5 >= 0.95 else (-0.95 if tem5 <= -0.95 else tem5)
    return eo1 + tem5, tem5, sineo1, coseo1


@njit(cache=True, error_model='numpy', nogil=True)
def batch_eligible(rec, t_abs_max):
    """Whether near-Earth record rec can use near_earth_batch for times up to t_abs_max minutes from epoch."""
    if rec.method == 1 or rec.error != 0 or rec.no_unkozai <= 0.0 or rec.ecco >= BATCH_ECC_MAX:
        return False
    rate = fabs(rec.mdot) + fabs(rec.argpdot) + fabs(rec.nodedot) + fabs(rec.no_unkozai)
    return fabs(rec.mo) + fabs(rec.argpo) + fabs(rec.nodeo) + rate * t_abs_max + fabs(rec.nodecf) * t_abs_max ** 2 \
        < BATCH_ANGLE_MAX


@njit(cache=True, error_model='numpy', nogil=True, fastmath=_BATCH_FASTMATH)
def near_earth_batch(rec, tsince, out):
    """Near-Earth SGP4 of record rec at times tsince (min from epoch): out[0:3] TEME position (km), out[3:6]
    velocity (km/s), out[6] 1.0 where the sample must be recomputed with sgp4() (see above), else 0.0."""
    radiusearthkm = rec.radiusearthkm
    xke = rec.xke
    vkmpersec = radiusearthkm * xke / 60.0
    mo, mdot, argpo, argpdot, nodeo, nodedot, nodecf = (rec.mo, rec.mdot, rec.argpo, rec.argpdot, rec.nodeo,
                                                        rec.nodedot, rec.nodecf)
    cc1, cc4, cc5, bstar, t2cof = rec.cc1, rec.cc4, rec.cc5, rec.bstar, rec.t2cof
    full = 1.0 if rec.isimp != 1 else 0.0  # the drag terms of perigees above 220 km
    omgcof, eta, xmcof, delmo, sinmao = rec.omgcof, rec.eta, rec.xmcof, rec.delmo, rec.sinmao
    d2, d3, d4, t3cof, t4cof, t5cof = rec.d2, rec.d3, rec.d4, rec.t3cof, rec.t4cof, rec.t5cof
    no, ecco, c_amk = rec.no_unkozai, rec.ecco, rec.c_amk
    sinip, cosip, aycof, xlcof = rec.c_sinio, rec.c_cosio, rec.aycof, rec.xlcof
    j2, con41, x1mth2, x7thm1 = rec.j2, rec.con41, rec.x1mth2, rec.x7thm1
    for j in range(tsince.shape[0]):
        t = tsince[j]
        xmdf = mo + mdot * t
        argpdf = argpo + argpdot * t
        t2 = t * t
        nodem = nodeo + nodedot * t + nodecf * t2
        t3 = t2 * t
        t4 = t3 * t
        sinxmdf, cosxmdf = _sincos_poly(xmdf)
        delmtemp = 1.0 + eta * cosxmdf
        temp = full * (omgcof * t + xmcof * (delmtemp * delmtemp * delmtemp - delmo))
        mm = xmdf + temp
        argpm = argpdf - temp
        tempa = 1.0 - cc1 * t - full * (d2 * t2 + d3 * t3 + d4 * t4)
        tempe = bstar * cc4 * t + full * bstar * cc5 * (_sincos_poly(mm)[0] - sinmao)
        templ = t2cof * t2 + full * (t3cof * t3 + t4 * (t4cof + t * t5cof))
        am = c_amk * tempa * tempa
        nm = xke / (am * sqrt(am))
        em = ecco - tempe
        bad = (em >= 1.0) | (em < -0.001) | ((t > 0.0) & (tempa <= 0.0))
        em = 1.0e-6 if em < 1.0e-6 else em
        mm = mm + no * templ
        xlm = mm + argpm + nodem
        nodem = _mod2pi_poly(nodem) if nodem >= 0.0 else -_mod2pi_poly(-nodem)
        argpm = _mod2pi_poly(argpm)
        xlm = _mod2pi_poly(xlm)
        mm = _mod2pi_poly(xlm - argpm - nodem)
        ep = em
        sinargpp, cosargpp = _sincos_poly(argpm)
        axnl = ep * cosargpp
        temp = 1.0 / (am * (1.0 - ep * ep))
        aynl = ep * sinargpp + temp * aycof
        xl = mm + argpm + nodem + temp * xlcof * axnl
        u = _mod2pi_poly(xl - nodem)
        # BATCH_NEWTON = 6 steps written out: a loop inside the time loop would stop LLVM vectorising it
        eo1, tem5, sineo1, coseo1 = _newton_step(u, u, axnl, aynl)
        eo1, tem5, sineo1, coseo1 = _newton_step(eo1, u, axnl, aynl)
        eo1, tem5, sineo1, coseo1 = _newton_step(eo1, u, axnl, aynl)
        eo1, tem5, sineo1, coseo1 = _newton_step(eo1, u, axnl, aynl)
        eo1, tem5, sineo1, coseo1 = _newton_step(eo1, u, axnl, aynl)
        eo1, tem5, sineo1, coseo1 = _newton_step(eo1, u, axnl, aynl)
        ecose = axnl * coseo1 + aynl * sineo1
        esine = axnl * sineo1 - aynl * coseo1
        el2 = axnl * axnl + aynl * aynl
        pl = am * (1.0 - el2)
        bad = bad | (pl < 0.0) | (el2 >= BATCH_ECC_MAX * BATCH_ECC_MAX) | (fabs(tem5) >= BATCH_NEWTON_TOL)
        rl = am * (1.0 - ecose)
        rdotl = sqrt(am) * esine / rl
        rvdotl = sqrt(pl) / rl
        betal = sqrt(1.0 - el2)
        temp = esine / (1.0 + betal)
        sinu = am / rl * (sineo1 - aynl - axnl * temp)
        cosu = am / rl * (coseo1 - axnl + aynl * temp)
        unorm = sqrt(sinu * sinu + cosu * cosu)
        sin2u = (cosu + cosu) * sinu
        cos2u = 1.0 - 2.0 * sinu * sinu
        temp = 1.0 / pl
        temp1 = 0.5 * j2 * temp
        temp2 = temp1 * temp
        mrt = rl * (1.0 - 1.5 * temp2 * betal * con41) + 0.5 * temp1 * x1mth2 * cos2u
        dsu = -0.25 * temp2 * x7thm1 * sin2u
        xnode = nodem + 1.5 * temp2 * cosip * sin2u
        dinc = 1.5 * temp2 * cosip * sinip * cos2u
        mvt = rdotl - nm * temp1 * x1mth2 * sin2u / xke
        rvdot = rvdotl + nm * temp1 * (x1mth2 * cos2u + 1.5 * con41) / xke
        sd, cd = _sincos_poly(dsu)
        s0 = sinu / unorm
        c0 = cosu / unorm
        sinsu = s0 * cd + c0 * sd
        cossu = c0 * cd - s0 * sd
        snod, cnod = _sincos_poly(xnode)
        sd, cd = _sincos_poly(dinc)
        sini = sinip * cd + cosip * sd
        cosi = cosip * cd - sinip * sd
        xmx = -snod * cosi
        xmy = cnod * cosi
        ux = xmx * sinsu + cnod * cossu
        uy = xmy * sinsu + snod * cossu
        uz = sini * sinsu
        vx = xmx * cossu - cnod * sinsu
        vy = xmy * cossu - snod * sinsu
        vz = sini * cossu
        mr = mrt * radiusearthkm
        out[0, j] = mr * ux
        out[1, j] = mr * uy
        out[2, j] = mr * uz
        out[3, j] = (mvt * ux + rvdot * vx) * vkmpersec
        out[4, j] = (mvt * uy + rvdot * vy) * vkmpersec
        out[5, j] = (mvt * uz + rvdot * vz) * vkmpersec
        bad = bad | (mrt < 1.0) | ~(fabs(mr * ux) + fabs(mr * uy) + fabs(mr * uz) + fabs(mvt) + fabs(rvdot) < 1e12)
        out[6, j] = 1.0 if bad else 0.0


@njit(cache=True, error_model='numpy')
def _gstime(jdut1):
     tut1 = (jdut1 - 2451545.0) / 36525.0;
     temp = -6.2e-6* tut1 * tut1 * tut1 + 0.093104 * tut1 * tut1 +\
             (876600.0*3600 + 8640184.812866) * tut1 + 67310.54841;
     temp = (temp * deg2rad / 240.0) % twopi
     if temp < 0.0:
         temp += twopi;
     return temp;


# ---------------------------------------------------------------------------------------------------------
# Vectorised drivers (orbitshare): initialise many records, propagate objects x times in parallel threads.
# ---------------------------------------------------------------------------------------------------------

_XPDOTP = 1440.0 / (2.0 * pi)


@njit(cache=True, error_model='numpy')
def init_records(recs, epoch_jd, epoch_fr, n_revday, ecc, incl_deg, raan_deg, argp_deg, ma_deg,
                 bstar, ndot_revday2, nddot_revday3, opsmode):
    """Initialise SGP4 records from mean elements in TLE/OMM units (epoch as a two-part UTC Julian date)."""
    for i in range(recs.shape[0]):
        sgp4init(
            opsmode,
            (epoch_jd[i] + epoch_fr[i]) - 2433281.5,
            bstar[i],
            ndot_revday2[i] / (_XPDOTP * 1440.0),
            nddot_revday3[i] / (_XPDOTP * 1440.0 * 1440.0),
            ecc[i],
            argp_deg[i] * deg2rad,
            incl_deg[i] * deg2rad,
            ma_deg[i] * deg2rad,
            n_revday[i] / _XPDOTP,
            raan_deg[i] * deg2rad,
            recs[i],
        )


@njit(cache=True, error_model='numpy', nogil=True)
def _past_reentry(rec, tsince):
    """Whether SGP4's drag polynomial tempa = 1 - C1 t - D2 t^2 - D3 t^3 - D4 t^4 has reached zero by tsince.

    Past that point the mean semi-major axis (proportional to tempa^2) has collapsed: the object has
    re-entered, and the "resurrected" states SGP4 then returns with error 0 are meaningless.
    """
    if tsince <= 0.0:
        return False
    t = tsince
    tempa = 1.0 - rec.cc1 * t
    if rec.isimp != 1:
        t2 = t * t
        tempa = tempa - rec.d2 * t2 - rec.d3 * t2 * t - rec.d4 * t2 * t2
    return tempa <= 0.0


@njit(cache=True, error_model='numpy', nogil=True, inline='always')
def _put(out, i, j, time_major, x, y, z):
    """Store a 3-vector of object i at time j into out (objects, times, 3), or (times, objects, 3) if time_major."""
    if time_major:
        out[j, i, 0], out[j, i, 1], out[j, i, 2] = x, y, z
    else:
        out[i, j, 0], out[i, j, 1], out[i, j, 2] = x, y, z


@njit(cache=True, error_model='numpy', nogil=True, inline='always')
def _sample(rec, tsince):
    """SGP4 state (TEME km, km/s) and error code, with 7 for non-finite results and 6 past re-entry."""
    r, v, e = sgp4(rec, tsince)
    if e == 0 and not (np.isfinite(r[0]) and np.isfinite(r[1]) and np.isfinite(r[2])):
        e = 7
    if e == 0 and _past_reentry(rec, tsince):
        e = 6
    if e != 0:
        return _NAN3, _NAN3, e
    return r, v, e


@njit(cache=True, error_model='numpy', nogil=True)
def _object_samples(rec, epoch_jd, epoch_fr, jd, fr, ts, buf, err_row):
    """States of one object at every time (two-part UTC JD): buf[0:3] TEME km, buf[3:6] km/s (buf: 7 x times),
    error codes into err_row; near_earth_batch where the record allows it, sgp4() for the rest. ts: work array."""
    m = jd.shape[0]
    t_max = 0.0
    for j in range(m):
        ts[j] = ((jd[j] - epoch_jd) + (fr[j] - epoch_fr)) * 1440.0
        t_max = max(t_max, fabs(ts[j]))
    batch = batch_eligible(rec, t_max)
    if batch:
        near_earth_batch(rec, ts, buf)
    for j in range(m):
        if batch and buf[6, j] == 0.0:
            err_row[j] = 0
        else:
            r, v, err_row[j] = _sample(rec, ts[j])
            buf[0, j], buf[1, j], buf[2, j] = r
            buf[3, j], buf[4, j], buf[5, j] = v


@njit(cache=True, error_model='numpy', nogil=True)
def propagate_range(recs, epoch_jd, epoch_fr, jd, fr, r_out, v_out, err_out, lo, hi):
    """Propagate records lo..hi-1 to every time (two-part UTC JD); TEME km and km/s into out[object, time]."""
    ts = np.empty(jd.shape[0])
    buf = np.empty((7, jd.shape[0]))
    for i in range(lo, hi):
        _object_samples(recs[i], epoch_jd[i], epoch_fr[i], jd, fr, ts, buf, err_out[i])
        for j in range(jd.shape[0]):
            r_out[i, j, 0], r_out[i, j, 1], r_out[i, j, 2] = buf[0, j], buf[1, j], buf[2, j]
            v_out[i, j, 0], v_out[i, j, 1], v_out[i, j, 2] = buf[3, j], buf[4, j], buf[5, j]
        _terminate_after_decay(i, jd, fr, epoch_jd[i], epoch_fr[i], r_out, v_out, err_out, False)


@njit(cache=True, error_model='numpy', nogil=True)
def propagate_range_time_major(recs, epoch_jd, epoch_fr, jd, fr, r_out, v_out, err_out, lo, hi):
    """As :func:`propagate_range`, states into out[time, object] (what the screening kernels read)."""
    ts = np.empty(jd.shape[0])
    buf = np.empty((7, jd.shape[0]))
    for i in range(lo, hi):
        _object_samples(recs[i], epoch_jd[i], epoch_fr[i], jd, fr, ts, buf, err_out[i])
        for j in range(jd.shape[0]):
            r_out[j, i, 0], r_out[j, i, 1], r_out[j, i, 2] = buf[0, j], buf[1, j], buf[2, j]
            v_out[j, i, 0], v_out[j, i, 1], v_out[j, i, 2] = buf[3, j], buf[4, j], buf[5, j]
        _terminate_after_decay(i, jd, fr, epoch_jd[i], epoch_fr[i], r_out, v_out, err_out, True)


@njit(cache=True, error_model='numpy', nogil=True)
def _terminate_after_decay(i, jd, fr, ejd, efr, r_out, v_out, err_out, time_major):
    """Flag every sample after an object's first forward-time error with that error (orbitshare rule).

    SGP4's drag polynomials can pass through zero and come back, giving "resurrected" states with error 0
    after a decay; those are meaningless, so they are flagged like the decay itself.
    """
    nt = jd.shape[0]
    t_first = np.inf
    code = 0
    for j in range(nt):
        t = (jd[j] - ejd) + (fr[j] - efr)
        if err_out[i, j] != 0 and t > 0.0 and t < t_first:
            t_first = t
            code = err_out[i, j]
    if code == 0:
        return
    for j in range(nt):
        t = (jd[j] - ejd) + (fr[j] - efr)
        if t > t_first and err_out[i, j] == 0:
            err_out[i, j] = code
            _put(r_out, i, j, time_major, np.nan, np.nan, np.nan)
            _put(v_out, i, j, time_major, np.nan, np.nan, np.nan)


@njit(cache=True, error_model='numpy', nogil=True)
def propagate_pairs(recs, epoch_jd, epoch_fr, index, jd, fr, r_out, v_out, err_out):
    """Propagate record index[k] to time (jd[k], fr[k]) for each k; TEME km and km/s into the out arrays."""
    for k in range(index.shape[0]):
        i = index[k]
        tsince = ((jd[k] - epoch_jd[i]) + (fr[k] - epoch_fr[i])) * 1440.0
        r, v, e = sgp4(recs[i], tsince)
        if e == 0 and not (np.isfinite(r[0]) and np.isfinite(r[1]) and np.isfinite(r[2])):
            e = 7
        if e == 0 and _past_reentry(recs[i], tsince):
            e = 6
        err_out[k] = e
        for c in range(3):
            r_out[k, c] = r[c] if e == 0 else np.nan
            v_out[k, c] = v[c] if e == 0 else np.nan
