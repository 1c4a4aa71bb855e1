"""The Merkle tree is RFC 9162's: the Certificate Transparency test vectors, and proofs that
lead back to the root for every leaf of every small tree."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from app.services import merkle

# RFC 6962 / 9162 test data (certificate-transparency's merkle_tree_test): leaves and the
# roots of the trees of their first 1..8
LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243",
                                      "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_the_certificate_transparency_vectors():
    hashes = [merkle.leaf_hash(leaf) for leaf in LEAVES]
    frontier = merkle.Frontier()
    assert frontier.root() == hashlib.sha256(b"").digest()
    for size, expected in enumerate(ROOTS, start=1):
        frontier.append(hashes[size - 1])
        assert merkle.root(hashes[:size]).hex() == expected
        assert frontier.root().hex() == expected


def _hashes(n: int) -> list[bytes]:
    return [merkle.leaf_hash(str(i).encode()) for i in range(n)]


@given(st.integers(min_value=1, max_value=300))
def test_a_frontier_saved_and_loaded_carries_on_to_the_same_root(n):
    hashes = _hashes(n + 5)
    frontier = merkle.Frontier()
    frontier.extend(hashes[:n])
    again = merkle.Frontier.load(n, frontier.dump())
    again.extend(hashes[n:])
    assert again.root() == merkle.root(hashes)


@given(st.integers(min_value=1, max_value=200), st.data())
def test_every_inclusion_path_leads_to_the_root_and_only_for_its_leaf(n, data):
    hashes = _hashes(n)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    path = merkle.inclusion_path(index, hashes)
    assert merkle.root_from_path(index, n, hashes[index], path) == merkle.root(hashes)
    other = (index + 1) % n
    if other != index:
        assert merkle.root_from_path(other, n, hashes[index], path) != merkle.root(hashes)
    assert merkle.root_from_path(index, n, merkle.leaf_hash(b"forged"), path) != \
        merkle.root(hashes)
    assert merkle.root_from_path(n, n, hashes[index], path) is None
