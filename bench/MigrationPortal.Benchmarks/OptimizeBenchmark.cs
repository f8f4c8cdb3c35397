using System.Diagnostics;
using System.Globalization;
using MigrationPortal.Application.Optimization;
using MigrationPortal.Domain.Optimization;
using MigrationPortal.Infrastructure.Optimization;

namespace MigrationPortal.Benchmarks;

/// <summary>
/// The optimizer on a seeded demo-like model (default 200 hosts in 10 clusters, 10,000 VMs, skewed load, rules, headroom,
/// hosts in maintenance): balance (coefficient of variation of host load before/after, moves as a share of VMs) and
/// consolidation (CP-SAT with the greedy warm start, against the greedy alone and first-fit-decreasing from scratch,
/// all in this run), each with its planning time.
/// Usage: dotnet run -c Release --project bench/MigrationPortal.Benchmarks -- optimize [hosts=200] [vms=10000] [seed=15] [skew=0.5]
/// With BENCH_DETAIL=1 it also prints each cluster's host loads before and after the balance plan; BENCH_SOLVER=&lt;seconds&gt;
/// sets CP-SAT's budget (deterministic time) instead of the default.
/// </summary>
internal static class OptimizeBenchmark
{
    public static void Run(string[] args)
    {
        var hosts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var vms = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
        var seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 15;
        var skew = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 0.5;
        var problem = DemoModel(hosts, vms, seed, skew);
        Console.WriteLine($"Model: {problem.Hosts.Count} hosts in {problem.Hosts.Select(h => h.GroupId).Distinct().Count()} clusters " +
            $"({problem.Hosts.Count(h => !h.Usable)} in maintenance), {problem.Vms.Count} VMs ({problem.Vms.Count(v => !v.Movable)} pinned), " +
            $"{problem.Rules.Count} rules, headroom 10 % CPU / 10 % memory, seed {seed}, skew {skew}");

        // Warm-up on a small model so the timings below are not JIT and native-library loading.
        var small = DemoModel(20, 1000, seed + 1, skew);
        BalancePlanner.Plan(small, new OptimizerSettings());
        new PlanConsolidation(new CpSatConsolidationSolver(), TimeProvider.System).Plan(small, new OptimizerSettings { MaxMoves = int.MaxValue });

        var balanceSettings = new OptimizerSettings { ThresholdLevel = 4, MaxMoves = vms * 5 / 100 };
        var sw = Timed.Start();
        var balance = BalancePlanner.Plan(problem, balanceSettings);
        var balanceTime = sw.Stop();
        var fall = 1 - balance.ImbalanceAfter / balance.ImbalanceBefore;
        Console.WriteLine();
        Console.WriteLine($"Balance (threshold level {balanceSettings.ThresholdLevel}, target CoV {OptimizerSettings.TargetImbalance(balanceSettings.ThresholdLevel):0.000}, move limit {balanceSettings.MaxMoves})");
        Console.WriteLine($"  CoV of host load: {balance.ImbalanceBefore:0.0000} -> {balance.ImbalanceAfter:0.0000}, fall {fall:P1} (target >= 80 %)");
        Console.WriteLine($"  moves: {balance.MovedVms} = {(double)balance.MovedVms / vms:P2} of VMs (target <= 5 %)");
        Console.WriteLine($"  worst cluster after: {balance.Clusters.Max(c => c.After):0.0000}; estimated total move time {balance.TotalDuration.TotalHours:0.0} h");
        Console.WriteLine($"  planning time: {balanceTime} (target < 2000 ms)");
        var bound = BalanceBound.Compute(problem, balanceSettings, balanceSettings.MaxMoves);
        Console.WriteLine($"  bound (relaxation: the {balanceSettings.MaxMoves} largest movable VMs' load spread freely): CoV {bound.BestImbalance:0.0000}, fall {1 - bound.BestImbalance / bound.ImbalanceBefore:P1}; the plan reaches {(bound.ImbalanceBefore - balance.ImbalanceAfter) / (bound.ImbalanceBefore - bound.BestImbalance):P1} of the possible fall");

        if (Environment.GetEnvironmentVariable("BENCH_DETAIL") == "1")
        {
            // Load moved by the plan against the most that moves off hosts above their cluster's mean could carry.
            var st = new PlacementState(problem);
            var loadOf = (PlacementVm v) => { var h = problem.Hosts[problem.HostIndex[v.HostId]]; return 0.5 * v.CpuDemandMhz / h.CpuCapacityMhz + 0.5 * v.MemoryDemandMb / h.MemoryCapacityMb; };
            var movedLoad = balance.Moves.Sum(m => loadOf(problem.Vms[problem.VmIndex[m.VmId]]));
            var means = balance.Hosts.Where(h => h.Usable).GroupBy(h => h.GroupId).ToDictionary(g => g.Key, g => g.Average(h => h.LoadBefore));
            var hot = balance.Hosts.Where(h => h.Usable && h.LoadBefore > means[h.GroupId]).ToDictionary(h => h.HostId);
            var candidates = problem.Vms.Where(v => v.Movable && hot.ContainsKey(v.HostId)).Select(loadOf).OrderByDescending(x => x).Take(balanceSettings.MaxMoves).Sum();
            var excess = hot.Values.Sum(h => h.LoadBefore - means[h.GroupId]);
            Console.WriteLine($"  moved load {movedLoad:0.00}; the {balanceSettings.MaxMoves} largest movable VMs on hosts above their mean carry {candidates:0.00}; those hosts' excess over the mean {excess:0.00}");
        }
        if (Environment.GetEnvironmentVariable("BENCH_DETAIL") == "1")
            foreach (var c in balance.Clusters)
            {
                var hs = balance.Hosts.Where(h => h.GroupId == c.GroupId && h.Usable).ToArray();
                Console.WriteLine($"  {c.GroupId}: {c.Before:0.000} -> {c.After:0.000}, moves {balance.Moves.Count(m => hs.Any(h => h.HostId == m.FromHostId))}, bound split {bound.MovesPerCluster[balance.Clusters.ToList().IndexOf(c)]}");
                Console.WriteLine("    before " + string.Join(" ", hs.Select(h => h.LoadBefore.ToString("0.00", CultureInfo.InvariantCulture))));
                Console.WriteLine("    after  " + string.Join(" ", hs.Select(h => h.LoadAfter.ToString("0.00", CultureInfo.InvariantCulture))));
            }
        // The product's default solver budget unless BENCH_SOLVER (seconds of CP-SAT deterministic time) asks for another.
        var consolidateSettings = new OptimizerSettings { MaxMoves = int.MaxValue };
        if (Environment.GetEnvironmentVariable("BENCH_SOLVER") is { Length: > 0 } solverSeconds)
            consolidateSettings = consolidateSettings with { SolverTimeLimit = TimeSpan.FromSeconds(double.Parse(solverSeconds, CultureInfo.InvariantCulture)) };
        sw = Timed.Start();
        var ffd = FirstFitDecreasingPacker.Plan(problem, consolidateSettings);
        var ffdTime = sw.Stop();
        sw = Timed.Start();
        var greedy = GreedyConsolidator.Plan(problem, consolidateSettings);
        var greedyTime = sw.Stop();
        sw = Timed.Start();
        var solved = new PlanConsolidation(new CpSatConsolidationSolver(), TimeProvider.System).Plan(problem, consolidateSettings);
        var solvedTime = sw.Stop();
        Console.WriteLine();
        Console.WriteLine("Consolidation          hosts freed   VMs moved   safe order   planning time (wall, CPU of this process)");
        Row("first-fit-decreasing", ffd, ffdTime);
        Row("greedy", greedy, greedyTime);
        Row("CP-SAT (greedy start)", solved, solvedTime);
        var s = solved.Solver!;
        Console.WriteLine($"  CP-SAT: {s.Status}; bound {s.BoundHostsFreed} hosts, gap {s.Gap} hosts ({(s.BoundHostsFreed == 0 ? 0 : (double)s.Gap / s.BoundHostsFreed):P1}); solver time limit {consolidateSettings.SolverTimeLimit.TotalSeconds:0.0} s");
        Console.WriteLine($"  ratios vs first-fit-decreasing: hosts freed {Ratio(solved.HostsFreed, ffd.HostsFreed)}, VMs moved {Ratio(solved.MovedVms, ffd.MovedVms)}");
        Console.WriteLine($"  saved: {solved.Savings.Watts / 1000:0.0} kW = {solved.Savings.KwhPerMonth:N0} kWh/month = {solved.Savings.CostPerMonth:N0} per month at {consolidateSettings.PricePerKwh} per kWh, {consolidateSettings.WattsPerHost} W per host");
        foreach (var c in s.ClusterStatuses)
            Console.WriteLine($"    {c}");
        // The same model planned again must give the same moves (a recommendation accepted on another node is planned again).
        var again = new PlanConsolidation(new CpSatConsolidationSolver(), TimeProvider.System).Plan(problem, consolidateSettings);
        Console.WriteLine($"  planned again: {(RecommendationPlanner.Fingerprint(OptimizationStrategy.Consolidate, again) == RecommendationPlanner.Fingerprint(OptimizationStrategy.Consolidate, solved) ? "the same moves" : "DIFFERENT moves")} ({again.HostsFreed} hosts freed, {again.MovedVms} VMs moved)");
    }

    private static string Ratio(int a, int b) => b == 0 ? "n/a" : ((double)a / b).ToString("0.00", CultureInfo.InvariantCulture);

    private static void Row(string name, PlacementPlan plan, Timed time) =>
        Console.WriteLine($"  {name,-22} {plan.HostsFreed,11} {plan.MovedVms,11} {(plan.InSafeOrder ? "yes" : "no"),12}   {time}");

    /// <summary>Wall time and the process's CPU time: on a machine shared with other work the wall time stretches, while the
    /// CPU time of a single-threaded planner is what it would take on a free core (CP-SAT uses 2 workers, so its CPU time
    /// is up to twice its wall time on a free machine).</summary>
    private sealed class Timed
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private readonly TimeSpan _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        private TimeSpan _wallTime, _cpuTime;

        public static Timed Start() => new();

        public Timed Stop()
        {
            _wallTime = _wall.Elapsed;
            _cpuTime = Process.GetCurrentProcess().TotalProcessorTime - _cpuStart;
            return this;
        }

        public override string ToString() => $"{_wallTime.TotalMilliseconds:0} ms wall, {_cpuTime.TotalMilliseconds:0} ms CPU";
    }

    /// <summary>Clusters of 20 hosts (two host sizes: 48 cores at 2.6 GHz with 768 GB, 40 cores at 2.4 GHz with 640 GB), shared datastores and networks per cluster, one host in maintenance in
    /// every other cluster; VM sizes from a demo-like mix; VMs placed with a skew (a host's pull falls with its rank, so the
    /// first hosts of each cluster carry far more than the last, none above the 90 % the headroom allows); replica sets kept apart, pairs kept
    /// together, a host-group rule per cluster, and 1 % of VMs pinned (in an active request).</summary>
    public static PlacementProblem DemoModel(int hostCount, int vmCount, int seed, double skew)
    {
        var random = new Random(seed);
        const int perCluster = 20;
        var hosts = new List<PlacementHost>();
        for (var i = 0; i < hostCount; i++)
        {
            var c = i / perCluster;
            var big = c % 2 == 0;
            hosts.Add(new PlacementHost($"esx-{i:000}", $"cluster-{c:00}", big ? 2 * 24 * 2600 : 2 * 20 * 2400, big ? 768 * 1024 : 640 * 1024,
                Usable: !(c % 2 == 1 && i % perCluster == perCluster - 1),
                new HashSet<string> { $"ds-{c}-a", $"ds-{c}-b", $"ds-{c}-c" }, new HashSet<string> { $"net-{c}-prod", $"net-{c}-dev" }));
        }
        var clusters = hosts.GroupBy(h => h.GroupId).Select(g => g.ToArray()).ToArray();
        var cpuUsed = new Dictionary<string, double>();
        var memUsed = new Dictionary<string, double>();
        int[] memSizes = [2, 4, 4, 8, 8, 8, 16, 16, 32, 64];
        var vms = new List<PlacementVm>();
        for (var v = 0; v < vmCount; v++)
        {
            var cluster = clusters[v % clusters.Length];
            // Demand, not configured size: a VM uses 25-60 % of its memory and a log-uniform 150-2,400 MHz of CPU
            // (twice that for the largest), which puts the clusters at about 45-55 % of memory and 35-45 % of CPU.
            var mem = memSizes[random.Next(memSizes.Length)] * 1024 * (0.25 + 0.35 * random.NextDouble());
            var cpu = Math.Exp(random.NextDouble() * 2.8 + 5.0) * (mem > 12 * 1024 ? 2 : 1);
            PlacementHost? host = null;
            for (var attempt = 0; attempt < 50 && host is null; attempt++)
            {
                // Skew: rank r (0-based) is drawn with weight 1 / (r + 1)^skew.
                var r = SkewedRank(random, cluster.Length, skew);
                var h = cluster[r];
                if (!h.Usable && random.NextDouble() > 0.2)
                    continue;
                if (cpuUsed.GetValueOrDefault(h.Id) + cpu <= Fill * h.CpuCapacityMhz && memUsed.GetValueOrDefault(h.Id) + mem <= Fill * h.MemoryCapacityMb)
                    host = h;
            }
            host ??= cluster.Where(h => h.Usable).OrderBy(h => memUsed.GetValueOrDefault(h.Id) / h.MemoryCapacityMb).First();
            cpuUsed[host.Id] = cpuUsed.GetValueOrDefault(host.Id) + cpu;
            memUsed[host.Id] = memUsed.GetValueOrDefault(host.Id) + mem;
            var c = int.Parse(host.GroupId[^2..], CultureInfo.InvariantCulture);
            var pinned = random.NextDouble() < 0.01;
            vms.Add(new PlacementVm($"vm-{v:00000}", host.Id, Math.Round(cpu), Math.Round(mem),
                [$"ds-{c}-{"abc"[random.Next(3)]}"], [random.NextDouble() < 0.7 ? $"net-{c}-prod" : $"net-{c}-dev"],
                Movable: !pinned, PinnedReason: pinned ? "in an active request" : null));
        }
        var rules = new List<PlacementRule>();
        var byCluster = vms.GroupBy(v => hosts[int.Parse(v.HostId[4..], CultureInfo.InvariantCulture)].GroupId).ToArray();
        foreach (var group in byCluster)
        {
            var list = group.ToArray();
            // Replica sets of three, kept apart, among VMs already on different hosts (a demo that starts without violations).
            for (var k = 0; k + 3 <= 60 && k + 3 <= list.Length; k += 3)
            {
                var set = list.Skip(k * 5).Take(15).DistinctBy(v => v.HostId).Take(3).Select(v => v.Id).ToArray();
                if (set.Length == 3)
                    rules.Add(PlacementRule.KeepApart($"{group.Key}-replicas-{k / 3}", set));
            }
            // Pairs kept together, among VMs on the same host.
            foreach (var pair in list.Skip(400).GroupBy(v => v.HostId).Where(g => g.Count() >= 2).Take(5))
                rules.Add(PlacementRule.KeepTogether($"{group.Key}-pair-{pair.Key}", pair.Take(2).Select(v => v.Id).ToArray()));
            // A licensing host group: 20 VMs must run on the first half of the cluster's hosts.
            var licensed = hosts.Where(h => h.GroupId == group.Key).Take(perCluster / 2).Select(h => h.Id).ToHashSet();
            var members = list.Skip(600).Where(v => licensed.Contains(v.HostId)).Take(20).Select(v => v.Id).ToArray();
            if (members.Length > 0)
                rules.Add(PlacementRule.RunOnHostGroup($"{group.Key}-licensed", members, licensed, RuleStrength.Must));
        }
        return new PlacementProblem(hosts, vms, rules, defaultHeadroom: new Headroom(10, 10));
    }

    /// <summary>No host is filled past the model's own 10 % headroom: a demo that starts inside the limits it declares
    /// (the hottest hosts start at 90 %, as a cluster run at its headroom would).</summary>
    private const double Fill = 0.90;

    private static int SkewedRank(Random random, int n, double skew)
    {
        var weights = Enumerable.Range(0, n).Select(r => 1 / Math.Pow(r + 1, skew)).ToArray();
        var pick = random.NextDouble() * weights.Sum();
        for (var r = 0; r < n; r++)
        {
            pick -= weights[r];
            if (pick <= 0)
                return r;
        }
        return n - 1;
    }
}
