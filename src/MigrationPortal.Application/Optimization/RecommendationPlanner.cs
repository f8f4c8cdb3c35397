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
/// checks on the group and threshold, the plan itself, and the what-if around it (names, estimated durations, each move's
/// planned start and end from <see cref="RecommendationSchedule"/>, the expected window and the fingerprint). One place, so that the plan accepted is computed exactly as the plan shown.
/// </summary>
public sealed class RecommendationPlanner(IPortalDb db, AccessGuard guard, TimeProvider time, IOptions<OptimizationOptions> options, PlanConsolidation consolidation,
    DurationEstimator estimator, RecommendationSchedule schedule)
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
        var toSchedule = new List<RecommendationSchedule.Move>();
        var estimates = new List<DurationEstimate>();
        foreach (var m in plan.Moves)
        {
            var vm = group.Vms[Guid.Parse(m.VmId)];
            var estimate = await estimator.EstimateAsync(vm.ConnectionId, MigrationKind.Compute, vm, ct);
            estimates.Add(estimate);
            toSchedule.Add(new RecommendationSchedule.Move(vm, m.ToHostId, group.HostName(m.ToHostId), estimate.Duration));
        }

        // The batch as the dispatcher would run it: the limits and the windows together, not each move as if alone.
        var scheduled = await schedule.ScheduleAsync(group.Connection, toSchedule, now, ct);
        var moves = plan.Moves.Select((m, i) =>
        {
            var vm = toSchedule[i].Vm;
            var at = scheduled.Moves[i];
            return new RecommendedMove(m.Sequence, vm.Id, vm.Name, m.FromHostId, group.HostName(m.FromHostId), m.ToHostId, group.HostName(m.ToHostId),
                Math.Round(m.CpuMhz, 1), Math.Round(m.MemoryMb, 1), !group.ConfiguredVmIds.Contains(vm.Id),
                estimates[i].Duration, estimates[i].Basis, at.Start, m.Reason, at.End, at.WindowName, at.Occurrence?.End, at.WaitedFor);
        }).ToList();
        var window = Expected(moves, scheduled, now);

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

    /// <summary>
    /// The batch's span: first start to last end, the window occurrences it runs in, and a sentence such as "12 moves, at
    /// most 2 at a time (host esx-01 takes 2 at a time): 2 h 10 min inside 'Sat night' from ... to ...".
    /// </summary>
    private static ExpectedWindow Expected(IReadOnlyList<RecommendedMove> moves, RecommendationSchedule.Result scheduled, DateTimeOffset now)
    {
        var placed = moves.Where(m => m.PlannedStart is not null).ToList();
        var unscheduled = moves.Select((m, i) => (m, scheduled.Moves[i].Problem)).Where(x => x.m.PlannedStart is null).Select(x => $"{x.m.VmName}: {x.Problem}").ToList();
        var windowNames = placed.Select(m => m.WindowName).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var occurrences = scheduled.Moves.Where(p => p.Start is not null && p.WindowName is not null).Select(p => (p.WindowName, p.Occurrence)).Distinct().Count();
        DateTimeOffset? first = placed.Count == 0 ? null : placed.Min(m => m.PlannedStart!.Value);
        DateTimeOffset? lastStart = placed.Count == 0 ? null : placed.Max(m => m.PlannedStart!.Value);
        DateTimeOffset? lastEnd = placed.Count == 0 ? null : placed.Max(m => m.PlannedEnd!.Value);
        var limit = scheduled.LimitedBy is { } l ? $"{l.Label} takes {l.Value} at a time" : null;

        string explanation;
        if (moves.Count == 0) explanation = "Nothing to schedule: the recommendation holds no move.";
        else if (placed.Count == 0) explanation = $"{unscheduled.Count} move(s) have no start in the planning horizon: {string.Join(" ", unscheduled.Take(3))}";
        else
        {
            var count = placed.Count == 1 ? "1 move" : $"{placed.Count} moves";
            var pace = scheduled.MaxConcurrent == 1 ? (placed.Count == 1 ? "" : ", one at a time") : $", at most {scheduled.MaxConcurrent} at a time";
            var where = windowNames.Count == 0 ? "" : occurrences == 1 ? $" inside {Quoted(windowNames)}," : $" over {occurrences} window occurrences ({Quoted(windowNames)}),";
            var limited = limit is null ? "" : $" ({limit})";
            explanation = $"{count}{pace}{limited}: {StartPlanner.Format(lastEnd!.Value - first!.Value)}{where} from {first:u} to {lastEnd:u}.";
            if (windowNames.Count == 0)
                explanation += first <= now ? " No maintenance window covers these VMs: the batch can run as soon as it is approved."
                    : $" No maintenance window covers these VMs; blackouts hold the first move until {first:u}.";
            if (unscheduled.Count > 0)
                explanation += $" {unscheduled.Count} more move(s) have no start in the planning horizon: {string.Join(" ", unscheduled.Take(3))}";
        }

        return new ExpectedWindow(first, lastStart, windowNames, explanation, lastEnd, occurrences, scheduled.MaxConcurrent, limit);
    }

    private static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

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
