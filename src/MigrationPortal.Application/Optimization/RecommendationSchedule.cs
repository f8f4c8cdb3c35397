using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Optimization;

/// <summary>
/// When each move of a recommendation would run if the batch were accepted now and approved at once, found by replaying
/// the dispatcher (<see cref="DispatchDueRequests"/>) over the estimated durations:
/// <list type="bullet">
/// <item>At each moment something can change (now, a window opening, a blackout ending, a move ending), the waiting moves
/// are tried in plan order, as the dispatcher tries approved requests in submission order, and each one that may start
/// then starts. A move that must wait does not hold back a later one that may start: the dispatcher has no such hold
/// either (it tries every approved request each tick), so neither is a move held for an earlier move it depends on.</item>
/// <item>"May start" is the dispatcher's two tests. The calendar: <see cref="StartPlanner"/> with the move's own coverage,
/// so inside a covering window with the whole estimate before that occurrence closes and no blackout in it (a move that
/// no longer fits in what remains goes to the next occurrence, as the dispatcher defers it). The limits: every demand
/// <see cref="CapacityLeases.DemandsOf"/> gives for the move (portal-wide, per connection, and the kind's host and
/// datastore demands, source and target), against the limit rows in force, counting the units already held by
/// migrations running now (their slot rows, until their estimated end) and by the batch's moves still running.</item>
/// </list>
/// The dispatcher ticks about every 15 s, so real starts come up to a tick later; other approved requests still queued,
/// and estimates being wrong, can move them further.
/// </summary>
public sealed class RecommendationSchedule(IPortalDb db, StartPlanner planner, CapacityLeases leases)
{
    /// <summary>A move to place: its VM, target host and estimated duration.</summary>
    public sealed record Move(InventoryVm Vm, string ToHostId, string ToHostName, TimeSpan Estimate);

    /// <summary>
    /// Where one move landed: its start and end (null: no start fits within the planning horizon, <paramref name="Problem"/>
    /// says why), the window occurrence it runs in (null when no window covers the VM), and the limit that made it wait
    /// when it started later than the calendar alone allowed.
    /// </summary>
    public sealed record Placed(DateTimeOffset? Start, DateTimeOffset? End, string? WindowName, TimeSlot? Occurrence, string? WaitedFor, string? Problem);

    /// <summary>The limit that held moves back: its label (such as "host esx-01") and its value.</summary>
    public sealed record Limit(string Label, int Value);

    public sealed record Result(IReadOnlyList<Placed> Moves, int MaxConcurrent, Limit? LimitedBy);

    private sealed class Pending(int index, Move move, Coverage coverage, IReadOnlyList<ResourceDemand> demands)
    {
        public int Index { get; } = index;
        public Move Move { get; } = move;
        public Coverage Coverage { get; } = coverage;
        public IReadOnlyList<ResourceDemand> Demands { get; } = demands;

        /// <summary>The calendar's earliest start on or after <see cref="AskedAt"/>; still right for any later moment up to it.</summary>
        public StartPlan? Calendar { get; set; }

        public DateTimeOffset AskedAt { get; set; }

        public ResourceDemand? WaitedFor { get; set; }
    }

    private sealed record Running(DateTimeOffset End, IReadOnlyList<(string Resource, int Units)> Holds, bool OfBatch);

    public async Task<Result> ScheduleAsync(Connection connection, IReadOnlyList<Move> moves, DateTimeOffset now, CancellationToken ct)
    {
        var limits = await leases.LimitsAsync(ct);
        var pending = new List<Pending>();
        for (var i = 0; i < moves.Count; i++)
        {
            var m = moves[i];
            var coverage = await planner.CoverageAsync(StartPlanner.PlacementOf(m.Vm, m.ToHostId), ct);
            pending.Add(new Pending(i, m, coverage, leases.DemandsOf(WhatIfRequest(m, connection, now), m.Vm, connection, limits)));
        }

        var placed = new Placed?[moves.Count];
        var running = await HeldNowAsync(now, ct);
        var at = now;
        var maxConcurrent = 0;
        var waits = new List<ResourceDemand>();
        while (pending.Count > 0)
        {
            running.RemoveAll(r => r.End <= at);
            foreach (var p in pending.ToList())
            {
                var calendar = CalendarAt(p, at);
                if (calendar.Start is not { } start)
                {
                    placed[p.Index] = new Placed(null, null, null, null, null, calendar.Explanation);
                    pending.Remove(p);
                    continue;
                }

                if (start > at) continue;
                if (p.Demands.FirstOrDefault(d => d.Units > d.Limit) is { } impossible)
                {
                    placed[p.Index] = new Placed(null, null, null, null, null,
                        $"It needs {impossible.Units} unit(s) of {impossible.Label}, more than its limit of {impossible.Limit}: the dispatcher would keep it queued.");
                    pending.Remove(p);
                    continue;
                }

                // The dispatcher's test (CapacityLeases.TryClaimAsync): the units held plus those asked for within the limit.
                var shortOf = p.Demands.FirstOrDefault(d => running.Sum(r => r.Holds.Where(h => h.Resource == d.Resource).Sum(h => h.Units)) + d.Units > d.Limit);
                if (shortOf is not null)
                {
                    p.WaitedFor ??= shortOf;
                    continue;
                }

                var end = at + p.Move.Estimate;
                running.Add(new Running(end, p.Demands.Select(d => (d.Resource, d.Units)).ToList(), OfBatch: true));
                maxConcurrent = Math.Max(maxConcurrent, running.Count(r => r.OfBatch));
                if (p.WaitedFor is { } waited) waits.Add(waited);
                placed[p.Index] = new Placed(at, end, calendar.WindowName, calendar.Occurrence, p.WaitedFor is { } w ? $"{w.Label} ({w.Limit} at a time)" : null, null);
                pending.Remove(p);
            }

            if (pending.Count == 0) break;
            // Nothing changes before the next end or the next calendar start: jump there.
            var next = running.Select(r => r.End).Concat(pending.Select(p => CalendarAt(p, at).Start).OfType<DateTimeOffset>()).Where(t => t > at).DefaultIfEmpty().Min();
            if (next == default)
            {
                // Short of capacity with nothing running to free it: only a held slot whose request never ends could do that.
                foreach (var p in pending)
                    placed[p.Index] = new Placed(null, null, null, null, null, $"{p.WaitedFor?.Label ?? "A limit"} has no room within the planning horizon.");
                break;
            }

            at = next;
        }

        var limitedBy = waits.GroupBy(w => w.Resource).OrderByDescending(g => g.Count()).Select(g => new Limit(g.First().Label, g.First().Limit)).FirstOrDefault();
        return new Result(placed.Select(p => p!).ToList(), maxConcurrent, limitedBy);
    }

    /// <summary>
    /// The calendar's answer at <paramref name="at"/>. It is asked again only once time has passed the start it gave, and
    /// not even then while <paramref name="at"/> is plainly still a start it allows: no blackout covers the VM, and either
    /// no window does or <paramref name="at"/> is in the same occurrence with the whole estimate before it closes. That is
    /// the common case of a move waiting for a slot, and <see cref="StartPlanner.Plan"/> expands every occurrence of the
    /// planning horizon (a few milliseconds), so asking it at each slot freed made a 50-move batch take seconds.
    /// </summary>
    private StartPlan CalendarAt(Pending p, DateTimeOffset at)
    {
        if (p.Calendar is { Start: null } none) return none;
        if (p.Calendar is { Start: { } start } cached)
        {
            if (p.AskedAt <= at && at <= start) return cached;
            var stillOpen = p.Coverage.Blackouts.Count == 0
                && (cached.Occurrence is { } slot ? slot.Start <= at && at + p.Move.Estimate <= slot.End : !p.Coverage.WindowRequired);
            if (stillOpen) return cached with { Start = at };
        }

        // As the dispatcher asks for an accepted recommendation: the next window (any time, for a VM no window covers).
        p.Calendar = planner.Plan(p.Coverage, new ScheduleWish(ScheduleMode.NextWindow, null), at, p.Move.Estimate);
        p.AskedAt = at;
        return p.Calendar;
    }

    /// <summary>
    /// The slot rows of migrations running now, each held until its estimated end (at least a minute), as the calendar's
    /// forecast assumes: the units the dispatcher would find taken. One that has overrun its estimate is taken to end now.
    /// </summary>
    private async Task<List<Running>> HeldNowAsync(DateTimeOffset now, CancellationToken ct)
    {
        var holding = CapacityLeases.HoldingStates;
        var rows = await db.CapacitySlots.AsNoTracking()
            .Join(db.Requests.AsNoTracking().Where(r => holding.Contains(r.State)), s => s.RequestId, r => r.Id,
                (s, r) => new { s.Resource, r.StartedAt, r.ScheduledFor, r.EstimatedSeconds })
            .ToListAsync(ct);
        return rows.Select(r =>
        {
            var began = r.StartedAt ?? r.ScheduledFor ?? now;
            var end = began + TimeSpan.FromSeconds(Math.Max(60, r.EstimatedSeconds ?? 60));
            return new Running(end > now ? end : now, [(r.Resource, 1)], OfBatch: false);
        }).ToList();
    }

    /// <summary>
    /// The request accepting would submit for this move (compute-only, live, to the chosen host), built only to ask the
    /// kind's descriptor what it takes; never saved.
    /// </summary>
    private static MigrationRequest WhatIfRequest(Move m, Connection connection, DateTimeOffset now) =>
        new(m.Vm.Id, m.Vm.Name, m.Vm.ConnectionId, m.Vm.ApplicationId, null, m.Vm.HostName, m.Vm.Datastores, MigrationKind.Compute, live: true,
            new MigrationTarget(connection.Id, m.ToHostId, m.ToHostName, null, null, null), new ScheduleWish(ScheduleMode.NextWindow, null),
            "What-if of a recommendation", new MigrationOptions(), Actor.System, now, isDemo: connection.IsDemo);
}
