"""The Merkle tree of the audit log, as Certificate Transparency defines it (RFC 9162 2.1):
leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right), a tree of n
leaves split at the largest power of two below n. Pure functions over bytes; the log
itself (services/audit.py) keeps leaves and signed tree heads in the database.

A Frontier is the compact form a sequencer keeps between batches: the roots of the
perfect subtrees that make up the tree so far, largest first (one per set bit of its size),
enough to append leaves and to compute the root without reading the leaves again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    """The hash of one leaf."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """The right edge of a growing tree: append leaf hashes, read the root at any time."""

    def __init__(self, size: int = 0, nodes: Sequence[bytes] = ()):
        if len(nodes) != bin(size).count("1"):
            raise ValueError("a frontier holds one subtree root per set bit of its size")
        self.size, self.nodes = size, list(nodes)

    def append(self, leaf: bytes) -> None:
        """Add the next leaf hash: merge equal-sized subtrees like a binary counter."""
        node, size, nodes = leaf, self.size, self.nodes
        while size & 1:
            node = hashlib.sha256(b"\x01" + nodes.pop() + node).digest()
            size >>= 1
        nodes.append(node)
        self.size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Add leaf hashes in order."""
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        """The tree's root hash (RFC 9162's MTH over every leaf so far)."""
        if not self.nodes:
            return EMPTY_ROOT
        root = self.nodes[-1]
        for node in reversed(self.nodes[:-1]):
            root = node_hash(node, root)
        return root

    def dump(self) -> str:
        """Hex, for storing beside a tree head."""
        return "".join(node.hex() for node in self.nodes)

    @classmethod
    def load(cls, size: int, text: str) -> Frontier:
        """The frontier dump() made for a tree of this size."""
        raw = bytes.fromhex(text or "")
        return cls(size, [raw[i:i + 32] for i in range(0, len(raw), 32)])


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of a list of leaf hashes."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 2.1.3.1 PATH(m, D[n]): the sibling hashes from leaf `index` up to the root."""
    if not 0 <= index < len(leaves):
        raise ValueError("the leaf is not in the tree")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_path(index, leaves[:k]), root(leaves[k:])]
    return [*inclusion_path(index - k, leaves[k:]), root(leaves[:k])]


def root_from_path(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """RFC 9162 2.1.3.2: the root that a leaf hash and its inclusion path lead to (None
    when the path cannot belong to a tree of this size)."""
    if not 0 <= index < size:
        return None
    fn, sn, node = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            node = node_hash(node, sibling)
        fn >>= 1
        sn >>= 1
    return node if sn == 0 else None
