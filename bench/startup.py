"""Times `RUNTIME --root R run --bundle B ID` of busybox `true`, interleaving the runtimes each round."""
import statistics, subprocess, sys, time

rounds, work, warren = int(sys.argv[1]), sys.argv[2], sys.argv[3]
bundle = f"{work}/bundle"
runtimes = {"warren": warren, "runc": "runc", "crun": "crun"}
times = {name: [] for name in runtimes}

def run(name, exe, i):
    cmd = [exe, "--root", f"{work}/state-{name}", "run", "--bundle", bundle, f"bench-{name}-{i}"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"{name} failed: {r.stderr.decode().strip()}")
    return dt

for name, exe in runtimes.items():  # warm-up: page cache, first-run costs
    for i in range(3):
        run(name, exe, f"warm{i}")
for i in range(rounds):
    order = list(runtimes.items())
    order = order[i % 3:] + order[:i % 3]  # rotate who goes first
    for name, exe in order:
        times[name].append(run(name, exe, i))

med = {n: statistics.median(t) * 1000 for n, t in times.items()}
print(f"run of busybox true, {rounds} interleaved rounds, median ms (p10-p90):")
for n, t in times.items():
    q = statistics.quantiles([x * 1000 for x in t], n=10)
    print(f"  {n:7s} {med[n]:7.2f}  ({q[0]:.2f}-{q[-1]:.2f})")
print(f"ratios: warren/crun = {med['warren'] / med['crun']:.2f}, warren/runc = {med['warren'] / med['runc']:.2f}")
