"""RFC 6962 / RFC 9162 Merkle tree hashing with inclusion and consistency proofs (pure functions).

Leaf hash: SHA-256(0x00 || entry); node hash: SHA-256(0x01 || left || right). The tree head of n leaves
is MTH(D[n]) with the split at the largest power of two smaller than n. Proof verification follows the
algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["EMPTY_ROOT", "ProofError", "consistency_proof", "frontier_append", "frontier_root", "frontier_size",
           "inclusion_proof", "leaf_hash", "node_hash", "root_from_inclusion_proof", "root_from_leaf_hashes",
           "verify_consistency", "verify_inclusion"]

EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof could not be built or did not verify."""


def leaf_hash(entry: bytes) -> bytes:
    """RFC 6962 leaf hash of one log entry."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Merkle tree hash MTH of a list of leaf hashes (iterative, O(n))."""
    frontier: list[tuple[int, bytes]] = []
    for h in hashes:
        frontier = frontier_append(frontier, h)
    return frontier_root(frontier)


def frontier_append(frontier: list[tuple[int, bytes]], leaf: bytes) -> list[tuple[int, bytes]]:
    """Append a leaf hash to a compact range of perfect subtrees [(height, hash)], largest first."""
    out = list(frontier)
    height, h = 0, leaf
    while out and out[-1][0] == height:
        _, left = out.pop()
        h = node_hash(left, h)
        height += 1
    out.append((height, h))
    return out


def frontier_root(frontier: Sequence[tuple[int, bytes]]) -> bytes:
    """Tree head of the tree whose compact range is `frontier`."""
    if not frontier:
        return EMPTY_ROOT
    acc = frontier[-1][1]
    for _, h in reversed(frontier[:-1]):
        acc = node_hash(h, acc)
    return acc


def frontier_size(frontier: Sequence[tuple[int, bytes]]) -> int:
    """Number of leaves covered by a compact range."""
    return sum(1 << height for height, _ in frontier)


def inclusion_proof(hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Audit path PATH(index, D[n]) for the leaf at `index` in the tree of all `hashes`."""
    if not 0 <= index < len(hashes):
        raise ProofError(f"index {index} outside a tree of size {len(hashes)}")
    return _path(index, hashes, 0, len(hashes))


def _path(m: int, hashes: Sequence[bytes], lo: int, hi: int) -> list[bytes]:
    """RFC 6962 PATH over hashes[lo:hi]."""
    n = hi - lo
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, hashes, lo, lo + k), _mth(hashes, lo + k, hi)]
    return [*_path(m - k, hashes, lo + k, hi), _mth(hashes, lo, lo + k)]


def _mth(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH over hashes[lo:hi]."""
    return root_from_leaf_hashes(hashes[lo:hi])


def consistency_proof(hashes: Sequence[bytes], first: int) -> list[bytes]:
    """PROOF(first, D[n]): shows the tree of size `first` is a prefix of the tree of all `hashes`."""
    n = len(hashes)
    if not 0 <= first <= n:
        raise ProofError(f"first size {first} outside 0..{n}")
    if first in (0, n):
        return []
    return _subproof(first, hashes, 0, n, True)


def _subproof(m: int, hashes: Sequence[bytes], lo: int, hi: int, whole: bool) -> list[bytes]:
    """RFC 6962 SUBPROOF over hashes[lo:hi]."""
    n = hi - lo
    if m == n:
        return [] if whole else [_mth(hashes, lo, hi)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, hashes, lo, lo + k, whole), _mth(hashes, lo + k, hi)]
    return [*_subproof(m - k, hashes, lo + k, hi, False), _mth(hashes, lo, lo + k)]


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root implied by an inclusion proof (RFC 9162 2.1.3.2); raises ProofError if malformed."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} outside a tree of size {size}")
    _check_hashes(proof)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """True when `proof` shows leaf hash `leaf` at `index` in the tree of `size` with head `root`."""
    try:
        return root_from_inclusion_proof(index, size, leaf, proof) == root
    except ProofError:
        return False


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when `proof` shows the tree (first, first_root) is a prefix of (second, second_root)."""
    try:
        _check_consistency(first, second, first_root, second_root, proof)
    except ProofError:
        return False
    return True


def _check_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 2.1.4.2; raises ProofError on any failure."""
    _check_hashes(proof)
    if not 0 <= first <= second:
        raise ProofError("sizes must satisfy 0 <= first <= second")
    if first == second or first == 0:
        if proof:
            raise ProofError("proof must be empty")
        if first == second and first_root != second_root:
            raise ProofError("equal sizes with different roots")
        return
    if not proof:
        raise ProofError("empty consistency proof")
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise ProofError("consistency proof does not verify")


def _check_hashes(proof: Sequence[bytes]) -> None:
    """Every proof element must be a 32-byte hash."""
    for p in proof:
        if not isinstance(p, bytes) or len(p) != 32:
            raise ProofError("proof elements must be 32-byte SHA-256 hashes")
