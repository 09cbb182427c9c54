#!/usr/bin/env python3
"""Synthetic batch carbonation data for the `calx fit` example and its tests.

NOT literature data: conversions computed from a known shrinking-core law (reaction
control, Levenspiel 1999 ch. 25: t/tau = 1 - (1 - X/x_max)^(1/3)) with an Arrhenius rate
constant, plus Gaussian noise of a fixed seed. The truth is written in the CSV's comment
lines so that a test can check that `calx fit` recovers it inside its 95 % intervals.
This is an independent implementation of the closed form (Calx integrates the rate law
numerically), so the fit also cross-checks Calx's integrator.

Run from the repository root:  python3 data/kinetics/synthetic/make_synthetic.py
"""
import math
import random
from pathlib import Path

R = 8.314462618          # J/(mol K), CODATA 2018
K_REF = 0.3              # 1/h at T_REF (1/tau for 10 um particles)
T_REF = 298.15           # K
EA = 40e3                # J/mol
X_MAX = 0.85
NOISE_SD = 0.01
SEED = 20261206
TEMPERATURES_C = [30.0, 45.0, 60.0]
TIMES_H = [0.25 * i for i in range(1, 17)]


def conversion(t_h, temp_c):
    k = K_REF * math.exp(-EA / R * (1.0 / (temp_c + 273.15) - 1.0 / T_REF))
    theta = min(k * t_h, 1.0)
    return X_MAX * (1.0 - (1.0 - theta) ** 3)


def main():
    rng = random.Random(SEED)
    lines = [
        "# SYNTHETIC data (not measured): data/kinetics/synthetic/make_synthetic.py",
        f"# truth: shrinking_core_reaction, rate_constant {K_REF} 1/h at 25 degC and 10 um,"
        f" activation_energy {EA / 1e3} kJ/mol, ultimate_conversion {X_MAX}; noise sd {NOISE_SD}, seed {SEED}",
        "experiment,time [h],conversion [-],T [degC],pCO2 [bar],d50 [um]",
    ]
    for temp in TEMPERATURES_C:
        for t in TIMES_H:
            x = conversion(t, temp) + rng.gauss(0.0, NOISE_SD)
            lines.append(f"T{temp:.0f},{t:.2f},{x:.5f},{temp:.0f},1,10")
    out = Path(__file__).with_name("lime-slurry-synthetic.csv")
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
