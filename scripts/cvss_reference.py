#!/usr/bin/env python3
"""Writes crates/domain/tests/data/cvss_reference.txt: CVSS vectors that carry temporal,
threat, environmental and supplemental metrics, with the scores that Red Hat's reference
implementation (the `cvss` package on PyPI, the same project as the shared base vectors in
../shared/data/cvss/) gives them. The shared files only cover base metrics; this fills the rest.

    python3 -m pip install cvss==3.6 && python3 scripts/cvss_reference.py

Deterministic (fixed seed): running it again rewrites the same file.
Line format: VECTOR - (base, temporal, environmental) for 3.x; VECTOR - (score,) for 4.0.
"""
import random
from pathlib import Path

from cvss import CVSS3, CVSS4

V3 = {
    "AV": "NALP", "AC": "LH", "PR": "NLH", "UI": "NR", "S": "UC", "C": "HLN", "I": "HLN", "A": "HLN",
}
V3_OPTIONAL = {
    "E": "XUPFH", "RL": "XOTWU", "RC": "XURC", "CR": "XLMH", "IR": "XLMH", "AR": "XLMH",
    "MAV": "XNALP", "MAC": "XLH", "MPR": "XNLH", "MUI": "XNR", "MS": "XUC", "MC": "XNLH",
    "MI": "XNLH", "MA": "XNLH",
}
V4 = {
    "AV": "NALP", "AC": "LH", "AT": "NP", "PR": "NLH", "UI": "NPA", "VC": "HLN", "VI": "HLN",
    "VA": "HLN", "SC": "HLN", "SI": "HLN", "SA": "HLN",
}
V4_OPTIONAL = {
    "E": "XAPU", "CR": "XHML", "IR": "XHML", "AR": "XHML", "MAV": "XNALP", "MAC": "XLH",
    "MAT": "XNP", "MPR": "XNLH", "MUI": "XNPA", "MVC": "XHLN", "MVI": "XHLN", "MVA": "XHLN",
    "MSC": "XHLN", "MSI": ["X", "S", "H", "L", "N"], "MSA": ["X", "S", "H", "L", "N"],
    "S": "XNP", "AU": "XNY", "R": "XAUI", "V": "XDC", "RE": "XLMH", "U": ["X", "Clear", "Green", "Amber", "Red"],
}


def vector(rng, prefix, mandatory, optional, share):
    parts = [prefix] + [f"{k}:{rng.choice(list(v))}" for k, v in mandatory.items()]
    for k, v in optional.items():
        if rng.random() < share:
            parts.append(f"{k}:{rng.choice(list(v))}")
    return "/".join(parts)


def main():
    rng = random.Random(20261204)
    lines = []
    for prefix in ("CVSS:3.0", "CVSS:3.1"):
        for _ in range(1500):
            v = vector(rng, prefix, V3, V3_OPTIONAL, 0.5)
            base, temporal, environmental = CVSS3(v).scores()
            lines.append(f"{v} - ({base}, {temporal}, {environmental})")
    for _ in range(3000):
        v = vector(rng, "CVSS:4.0", V4, V4_OPTIONAL, 0.4)
        lines.append(f"{v} - ({CVSS4(v).base_score},)")
    out = Path(__file__).resolve().parent.parent / "crates/domain/tests/data/cvss_reference.txt"
    out.write_text("\n".join(lines) + "\n")
    print(f"{len(lines)} vectors written to {out}")


if __name__ == "__main__":
    main()
