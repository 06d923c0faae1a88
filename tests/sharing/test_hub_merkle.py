"""RFC 6962 Merkle tree: published test vectors, and mutated proofs that must fail."""

from __future__ import annotations

import hashlib
import itertools

import pytest

from orbitshare.sharing import audit as m

# Leaves and roots of the certificate-transparency test tree (RFC 6962 reference vectors).
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# Consistency proofs of the certificate-transparency test suite: (first, second, proof).
CT_CONSISTENCY = [
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# An inclusion proof from a production CT log (certificate-transparency python test suite).
CT_LOG_LEAF = "7a395c866d5ecdb0cccb623e011dbc392cd348d1d1d72776174e127a24b09c78"
CT_LOG_INDEX, CT_LOG_SIZE = 848049, 3630887
CT_LOG_ROOT = "78316a05c9bcf14a3a4548f5b854a9adfcd46a4c034401b3ce7eb7ac2f1d0ecb"
CT_LOG_PATH = [
    "1a208aeebcd1b39fe2de247ee8db9454e1e93a312d206b87f6ca9cc6ec6f1ddd",
    "0a1b78b383f580856f433c01a5741e160d451c185910027f6cc9f828687a40c4",
    "3d1745789bc63f2da15850de1c12a5bf46ed81e1cc90f086148b1662e79aab3d",
    "9095b61e14d8990acf390905621e62b1714fb8e399fbb71de5510e0aef45affe",
    "0a332b91b8fab564e6afd1dd452449e04619b18accc0ff9aa8393cd4928451f2",
    "2336f0181d264aed6d8f3a6507ca14a8d3b3c3a23791ac263e845d208c1ee330",
    "b4ce56e300590500360c146c6452edbede25d4ed83919278749ee5dbe178e048",
    "933f6ddc848ea562e4f9c5cfb5f176941301dad0c6fdb9d1fbbe34fac1be6966",
    "b95a6222958a86f74c030be27c44f57dbe313e5e7c7f4ffb98bcbd3a03bb52f2",
    "daeeb3ce5923defd0faeb8e0c210b753b85b809445d7d3d3cd537a9aabaa9c45",
    "7fadd0a13e9138a2aa6c3fdec4e2275af233b94812784f66bcca9aa8e989f2bc",
    "1864e6ba3e32878610546539734fb5eeae2529991f130c575c73a7e25a2a7c56",
    "12842d1202b1dc6828a17ab253c02e7ce9409b5192430feba44189f39cc02d66",
    "29af64b16fa3053c13d02ac63aa75b23aa468506e44c3a2315edc85d2dc22b11",
    "b527b99934a0bd9edd154e449b0502e2c499bba783f3bc3dfe23364b6b532009",
    "4584db8ae8e351ace08e01f306378a92bfd43611714814f3d834a2842d69faa8",
    "86a9a41573b0d6e4292f01e93243d6cc65b30f06606fc6fa57390e7e90ed580f",
    "a88b98fbe84d4c6aae8db9d1605dfac059d9f03fe0fcb0d5dff1295dacba09e6",
    "06326dc617a6d1f7021dc536026dbfd5fffc6f7c5531d48ef6ccd1ed1569f2a1",
    "f41fe8fdc3a2e4e8345e30216e7ebecffee26ff266eeced208a6c2a3cf08f960",
    "40cf5bde8abb76983f3e98ba97aa36240402975674e120f234b3448911090f8d",
    "b3222dc8658538079883d980d7fdc2bef9285344ea34338968f736b04aeb387a",
]
HASHES = [m.leaf_hash(x) for x in LEAVES]
H = bytes.fromhex


def test_hashing_primitives_follow_rfc6962() -> None:
    """Leaf = SHA-256(0x00 || d); node = SHA-256(0x01 || l || r); empty tree = SHA-256('')."""
    assert m.leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert m.node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    assert m.root_from_leaf_hashes([]).hex() == ROOTS[0]


@pytest.mark.parametrize("n", range(9))
def test_roots_match_the_reference_tree(n: int) -> None:
    """MTH of the first n reference leaves, both batch and incremental (compact range)."""
    assert m.root_from_leaf_hashes(HASHES[:n]).hex() == ROOTS[n]
    frontier: list = []
    for h in HASHES[:n]:
        frontier = m.frontier_append(frontier, h)
    assert m.frontier_root(frontier).hex() == ROOTS[n]
    assert m.frontier_size(frontier) == n


@pytest.mark.parametrize(("first", "second", "proof"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_reference_vectors(first: int, second: int, proof: list[str]) -> None:
    """Our proofs equal the published ones, and the published ones verify."""
    assert [p.hex() for p in m.consistency_proof(HASHES[:second], first)] == proof
    assert m.verify_consistency(first, second, H(ROOTS[first]), H(ROOTS[second]), [H(p) for p in proof])


def test_production_log_inclusion_proof_verifies() -> None:
    """A 22-step audit path from a real CT log of 3,630,887 entries."""
    path = [H(p) for p in CT_LOG_PATH]
    assert m.verify_inclusion(CT_LOG_INDEX, CT_LOG_SIZE, H(CT_LOG_LEAF), path, H(CT_LOG_ROOT))
    assert not m.verify_inclusion(CT_LOG_INDEX + 1, CT_LOG_SIZE, H(CT_LOG_LEAF), path, H(CT_LOG_ROOT))
    assert not m.verify_inclusion(CT_LOG_INDEX, 2**21, H(CT_LOG_LEAF), path, H(CT_LOG_ROOT))
    assert not m.verify_inclusion(CT_LOG_INDEX, CT_LOG_SIZE, H(CT_LOG_LEAF), path[:-1], H(CT_LOG_ROOT))


def test_every_inclusion_proof_of_the_reference_tree_verifies() -> None:
    """For all sizes 1..8 and all indices, generated proofs verify against the published roots."""
    for n in range(1, 9):
        for i in range(n):
            proof = m.inclusion_proof(HASHES[:n], i)
            assert m.verify_inclusion(i, n, HASHES[i], proof, H(ROOTS[n]))
            assert len(proof) <= (n - 1).bit_length()


def test_every_consistency_proof_of_the_reference_tree_verifies() -> None:
    """For all 0 <= m <= n <= 8, generated proofs verify against the published roots."""
    for n in range(1, 9):
        for first in range(n + 1):
            proof = m.consistency_proof(HASHES[:n], first)
            assert m.verify_consistency(first, n, H(ROOTS[first]), H(ROOTS[n]), proof)


def _mutations(proof: list[bytes]) -> list[list]:
    """Bit flips in every element, truncations, extensions, garbage, swaps and wrong-length elements."""
    out: list[list] = []
    for i, p in enumerate(proof):
        for bit in (0, 7, 255):
            flipped = bytearray(p)
            flipped[bit // 8] ^= 1 << (bit % 8)
            out.append([*proof[:i], bytes(flipped), *proof[i + 1 :]])
        out.append([*proof[:i], p[:31], *proof[i + 1 :]])
        out.append([*proof[:i], *proof[i + 1 :]])
    out.append([*proof, HASHES[0]])
    out.append([b"\x00" * 32, *proof])
    if proof:
        out.append([*proof, *proof])
    for i, j in itertools.combinations(range(len(proof)), 2):
        if proof[i] != proof[j]:
            swapped = list(proof)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            out.append(swapped)
    return out


def test_mutated_inclusion_proofs_fail() -> None:
    """No mutation of a valid inclusion proof, index, size, leaf or root verifies."""
    for n in range(1, 9):
        root = H(ROOTS[n])
        for i in range(n):
            proof = m.inclusion_proof(HASHES[:n], i)
            for bad in _mutations(proof):
                assert not m.verify_inclusion(i, n, HASHES[i], bad, root), (n, i, bad)
            assert not m.verify_inclusion(i, n, HASHES[(i + 1) % 8], proof, root)
            assert not m.verify_inclusion(i, n, HASHES[i], proof, H(ROOTS[n - 1]))
            if n > 1:
                assert not m.verify_inclusion((i + 1) % n, n, HASHES[i], proof, root)
            assert not m.verify_inclusion(n, n, HASHES[i], proof, root)
            assert not m.verify_inclusion(-1, n, HASHES[i], proof, root)


def test_mutated_consistency_proofs_fail() -> None:
    """No mutation of a valid consistency proof, its sizes or its roots verifies."""
    for n in range(1, 9):
        for first in range(n + 1):
            proof = m.consistency_proof(HASHES[:n], first)
            r1, r2 = H(ROOTS[first]), H(ROOTS[n])
            for bad in _mutations(proof):
                assert not m.verify_consistency(first, n, r1, r2, bad), (first, n, bad)
            if 0 < first < n:
                assert not m.verify_consistency(first, n, H(ROOTS[first - 1]), r2, proof)
                assert not m.verify_consistency(first, n, r1, H(ROOTS[n - 1]), proof)
                assert not m.verify_consistency(first + 1, n, r1, r2, proof)
            assert not m.verify_consistency(n + 1, n, r2, r2, proof)


def test_proof_builders_reject_impossible_requests() -> None:
    """Out-of-range indices and sizes raise ProofError."""
    with pytest.raises(m.ProofError):
        m.inclusion_proof(HASHES[:3], 3)
    with pytest.raises(m.ProofError):
        m.consistency_proof(HASHES[:3], 4)
