using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Optimization;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Optimization;

/// <summary>
/// What the three recommendation use cases share: who may ask (Operators and Administrators, as for evacuation), the
/// checks on the group and threshold, the plan itself, and the what-if around it (names, estimated durations, the expected
/// window and the fingerprint). One place, so that the plan accepted is computed exactly as the plan shown.
/// </summary>
public sealed class RecommendationPlanner(IPortalDb db, AccessGuard guard, TimeProvider time, IOptions<OptimizationOptions> options, PlanConsolidation consolidation,
    DurationEstimator estimator, StartPlanner planner)
{
    public static readonly string[] AllowedRoles = [Roles.Operator, Roles.Administrator];

    internal sealed record Planned(OptimizationGroup Group, PlacementPlan Plan, Recommendation View);

    public async Task RequireMayOptimizeAsync(PortalUser user, CancellationToken ct) =>
        await guard.RequireRoleAsync(user, "optimize.recommend", ct, AllowedRoles);

    internal async Task<Planned> PlanAsync(Guid connectionId, string? clusterName, OptimizationStrategy strategy, int? thresholdLevel, CancellationToken ct)
    {
        var threshold = thresholdLevel ?? options.Value.DefaultThresholdLevel;
        new Validation()
            .Text(clusterName, "ClusterName", TextLimits.Name)
            .Defined<OptimizationStrategy>(strategy, "Strategy")
            .Require(threshold is >= 1 and <= 5, "ThresholdLevel", "The threshold is 1 (conservative: no balance move) to 5 (aggressive).")
            .ThrowIfInvalid();

        var now = time.GetUtcNow();
        var group = await OptimizationGroup.LoadAsync(db, connectionId, clusterName, options.Value, now, ct);
        var settings = options.Value.ToSettings(threshold);
        var plan = strategy == OptimizationStrategy.Balance
            ? BalancePlanner.Plan(group.Problem, settings)
            : consolidation.Plan(group.Problem, settings, ct);
        return new Planned(group, plan, await ViewAsync(group, plan, strategy, threshold, now, ct));
    }

    private async Task<Recommendation> ViewAsync(OptimizationGroup group, PlacementPlan plan, OptimizationStrategy strategy, int threshold, DateTimeOffset now, CancellationToken ct)
    {
        var moves = new List<RecommendedMove>();
        var windowNames = new SortedSet<string>(StringComparer.Ordinal);
        var unscheduled = new List<string>();
        foreach (var m in plan.Moves)
        {
            var vm = group.Vms[Guid.Parse(m.VmId)];
            var estimate = await estimator.EstimateAsync(vm.ConnectionId, MigrationKind.Compute, vm, ct);
            var coverage = await planner.CoverageAsync(StartPlanner.PlacementOf(vm, m.ToHostId), ct);
            windowNames.UnionWith(coverage.Windows.Select(w => w.Name));
            var start = planner.Plan(coverage, new ScheduleWish(ScheduleMode.NextWindow, null), now, estimate.Duration);
            if (start.Start is null) unscheduled.Add($"{vm.Name}: {start.Explanation}");
            moves.Add(new RecommendedMove(m.Sequence, vm.Id, vm.Name, m.FromHostId, group.HostName(m.FromHostId), m.ToHostId, group.HostName(m.ToHostId),
                Math.Round(m.CpuMhz, 1), Math.Round(m.MemoryMb, 1), !group.ConfiguredVmIds.Contains(vm.Id),
                estimate.Duration, estimate.Basis, start.Start, m.Reason));
        }

        var starts = moves.Where(m => m.PlannedStart is not null).Select(m => m.PlannedStart!.Value).ToList();
        var explanation = moves.Count == 0 ? "Nothing to schedule: the recommendation holds no move."
            : unscheduled.Count > 0 ? $"{unscheduled.Count} move(s) have no start in the planning horizon: {string.Join(" ", unscheduled.Take(3))}"
            : windowNames.Count == 0 ? (starts.Min() <= now ? "No maintenance window covers these VMs: the batch can run as soon as it is approved." : $"Blackouts hold the first move until {starts.Min():u}.")
            : $"In the next occurrence of {string.Join(", ", windowNames.Select(n => $"'{n}'"))}: from {starts.Min():u}.";
        var window = new ExpectedWindow(starts.Count == 0 ? null : starts.Min(), starts.Count == 0 ? null : starts.Max(), windowNames.ToList(), explanation);

        var hosts = plan.Hosts.Select(h => new HostLoadView(h.HostId, group.HostName(h.HostId), h.Usable, h.CpuBefore, h.MemoryBefore, h.LoadBefore, h.VmsBefore,
            h.CpuAfter, h.MemoryAfter, h.LoadAfter, h.VmsAfter, h.Freed)).OrderBy(h => h.HostName, StringComparer.Ordinal).ToList();
        var cluster = plan.Clusters.FirstOrDefault();
        var o = options.Value;
        var savings = strategy == OptimizationStrategy.Consolidate
            ? new PowerSavingsView(plan.Savings.HostsFreed, plan.Savings.Watts, plan.Savings.KwhPerMonth, plan.Savings.CostPerMonth, o.WattsPerHost, o.PricePerKwh)
            : null;
        var solver = plan.Solver is { } s ? new SolverView(s.Status, s.HostsFreed, s.BoundHostsFreed, s.Gap, s.Elapsed, s.ClusterStatuses) : null;
        var basis = $"{group.VmsMeasured} VM(s) at their mean measured demand over the last {o.Lookback.TotalHours:0.#} h, "
            + $"{group.VmsConfigured} at their configured vCPUs and memory (no samples in that period).";
        var target = cluster?.Target ?? OptimizerSettings.TargetImbalance(threshold);
        return new Recommendation(group.Connection.Id, group.ClusterName, group.DisplayName, strategy, threshold, Fingerprint(strategy, plan), now, o.Lookback,
            group.VmsMeasured, group.VmsConfigured, basis, hosts, moves, Finite(plan.ImbalanceBefore), Finite(plan.ImbalanceAfter),
            double.IsFinite(target) ? target : null, plan.HostsFreed, savings, solver,
            // The portal's own estimates (as each request will get), not the engine's rough 6 GB/min: one figure on the page and the request.
            TimeSpan.FromTicks(moves.Sum(m => m.EstimatedDuration.Ticks)), window,
            group.Notes.Concat(plan.Notes).ToList());
    }

    // JSON has no NaN or infinity: an idle cluster's spread is 0.
    private static double Finite(double value) => double.IsFinite(value) ? value : 0;

    /// <summary>
    /// The moves, in order, hashed: two plans with the same fingerprint move the same VMs between the same hosts. Demand
    /// figures are left out on purpose: a new sample every five minutes shifts them a little without changing the moves.
    /// </summary>
    public static string Fingerprint(OptimizationStrategy strategy, PlacementPlan plan)
    {
        var text = new StringBuilder(strategy.ToString());
        foreach (var m in plan.Moves) text.Append('|').Append(m.VmId).Append(':').Append(m.FromHostId).Append('>').Append(m.ToHostId);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
