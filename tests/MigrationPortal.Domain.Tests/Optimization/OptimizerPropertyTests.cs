using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MigrationPortal.Domain.Optimization;

namespace MigrationPortal.Domain.Tests.Optimization;

/// <summary>Properties over random clusters (see <see cref="RandomClusters"/>): no plan breaks a rule, a capacity with headroom
/// or a cluster boundary; balance never raises a cluster's imbalance; consolidation never claims more freed hosts than
/// the cluster's volume allows.</summary>
public class OptimizerPropertyTests
{
    private static readonly OptimizerSettings Settings = new() { ThresholdLevel = 5, MaxMoves = 30 };

    [Property(Arbitrary = [typeof(RandomClusters)], MaxTest = 300)]
    public Property Balance_BreaksNoConstraint_WhenTheClusterIsRandom(ClusterSpec spec)
    {
        var problem = RandomClusters.Build(spec);
        var plan = BalancePlanner.Plan(problem, Settings);
        var violations = PlanChecker.Violations(problem, plan);
        return (violations.Count == 0 && plan.InSafeOrder).Label(string.Join("; ", violations));
    }

    [Property(Arbitrary = [typeof(RandomClusters)], MaxTest = 300)]
    public Property Balance_NeverRaisesImbalance_WhenTheClusterIsRandom(ClusterSpec spec)
    {
        var plan = BalancePlanner.Plan(RandomClusters.Build(spec), Settings);
        var worse = plan.Clusters.Where(c => c.After > c.Before + 1e-9).Select(c => $"{c.GroupId}: {c.Before} -> {c.After}").ToList();
        return (worse.Count == 0 && plan.ImbalanceAfter <= plan.ImbalanceBefore + 1e-9).Label(string.Join("; ", worse));
    }

    [Property(Arbitrary = [typeof(RandomClusters)], MaxTest = 300)]
    public Property Consolidate_BreaksNoConstraint_WhenTheClusterIsRandom(ClusterSpec spec)
    {
        var problem = RandomClusters.Build(spec);
        var plan = GreedyConsolidator.Plan(problem, Settings);
        var violations = PlanChecker.Violations(problem, plan);
        var freedNotEmpty = plan.Hosts.Where(h => h.Freed && h.VmsAfter != 0).Select(h => h.HostId).ToList();
        return (violations.Count == 0 && plan.InSafeOrder && freedNotEmpty.Count == 0 && plan.MovedVms <= Settings.MaxMoves)
            .Label(string.Join("; ", violations.Concat(freedNotEmpty)));
    }

    [Property(Arbitrary = [typeof(RandomClusters)], MaxTest = 300)]
    public Property Consolidate_FreesNoMoreHostsThanTheVolumeAllows_WhenTheClusterIsRandom(ClusterSpec spec)
    {
        var problem = RandomClusters.Build(spec);
        var plan = GreedyConsolidator.Plan(problem, new OptimizerSettings { MaxMoves = 1000 });
        var ok = true;
        foreach (var group in problem.Hosts.Where(h => h.Usable).GroupBy(h => h.GroupId))
        {
            var ids = group.Select(h => h.Id).ToHashSet();
            var onThem = problem.Vms.Where(v => ids.Contains(v.HostId)).ToArray();
            var factor = 1 - spec.HeadroomPercent / 100.0;
            var needCpu = onThem.Sum(v => v.CpuDemandMhz) / (group.Max(h => h.CpuCapacityMhz) * factor);
            var needMem = onThem.Sum(v => v.MemoryDemandMb) / (group.Max(h => h.MemoryCapacityMb) * factor);
            var inUse = group.Count(h => onThem.Any(v => v.HostId == h.Id));
            var bound = inUse - (int)Math.Ceiling(Math.Max(needCpu, needMem) - 1e-9);
            ok &= plan.Hosts.Count(h => h.Freed && ids.Contains(h.HostId)) <= Math.Max(0, bound);
        }
        return ok.Label($"freed {plan.HostsFreed}");
    }
}
