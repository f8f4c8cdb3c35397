using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Optimization;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Application.Tests.Scheduling;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Optimization;

/// <summary>
/// The what-if's schedule (<see cref="RecommendationSchedule"/>): the batch placed as the dispatcher would run it, under the
/// concurrency limits and inside the windows. The cluster is built so the answer is known: four hosts with one 8 GiB VM
/// each, which consolidation packs onto one of them, so the three moves all take a slot on that one host. With no
/// history each move is estimated at 60 s plus 8 GiB at 100 MB/s (86 s): 146 s.
/// </summary>
public abstract class RecommendationScheduleTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private const long Gb = 1024;

    private static readonly TimeSpan Estimate = TimeSpan.FromSeconds(60 + Math.Ceiling(8 * Gb * 1024 * 1024 / 100_000_000.0));

    /// <summary>Monday 2 March 2026, 10:00Z.</summary>
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Now);

    protected override TimeProvider? Clock => _clock;

    private async Task<Guid> SeedPackClusterAsync()
    {
        var connectionId = await Portal.DemoConnectionIdAsync();
        await Portal.Db(async db =>
        {
            for (var i = 1; i <= 4; i++)
            {
                db.Hosts.Add(new InventoryHost { ConnectionId = connectionId, ExternalId = $"slot-host-{i}", Name = $"slot-esx-{i}", ClusterName = "slot-cluster",
                    CpuCores = 16, MemoryMb = 64 * Gb, MemoryUsedMb = 8 * Gb });
                db.Vms.Add(new InventoryVm { ConnectionId = connectionId, ExternalId = $"slot-vm-{i}", Name = $"slot-vm-{i}", HostExternalId = $"slot-host-{i}",
                    HostName = $"slot-esx-{i}", ClusterName = "slot-cluster", Datastores = "slot-ds", Cpus = 2, MemoryMb = 8 * Gb, SyncedAt = Now });
            }
            db.Datastores.Add(new InventoryDatastore { ConnectionId = connectionId, ExternalId = "slot-ds", Name = "slot-ds", CapacityGb = 1000, FreeGb = 900,
                MountedOnHosts = "slot-esx-1,slot-esx-2,slot-esx-3,slot-esx-4" });
            return await db.SaveChangesAsync();
        });
        return connectionId;
    }

    private async Task<Recommendation> ConsolidateAsync(Guid connectionId)
    {
        var r = await Portal.Scoped<RecommendConsolidation, Recommendation>(u => u.HandleAsync(PortalHarness.Operator, new RecommendConsolidation.Query(connectionId, "slot-cluster")));
        // The premise of every test: three moves onto the one host kept.
        Assert.Equal(3, r.Moves.Count);
        Assert.Single(r.Moves.Select(m => m.ToHostId).Distinct());
        Assert.All(r.Moves, m => Assert.Equal(Estimate, m.EstimatedDuration));
        return r;
    }

    private Task SetLimitAsync(string kind, string resource, int value) =>
        Portal.Scoped<SetConcurrencyLimits, ConcurrencyLimitsView>(u => u.HandleAsync(PortalHarness.Admin, new([new(kind, resource, value)])));

    [Fact]
    public async Task Schedule_RunsTheMovesOneAfterAnother_WhenThePerHostLimitIsOne()
    {
        var connectionId = await SeedPackClusterAsync();
        await SetLimitAsync("demo", "host", 1);

        var r = await ConsolidateAsync(connectionId);

        // No window covers these VMs: the first starts as soon as approved, each next one when the one before ends.
        Assert.Equal(Now, r.Moves[0].PlannedStart);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Now + Estimate * i, r.Moves[i].PlannedStart);
            Assert.Equal(r.Moves[i].PlannedStart + Estimate, r.Moves[i].PlannedEnd);
            Assert.Null(r.Moves[i].WindowName);
        }
        Assert.Null(r.Moves[0].WaitsFor);
        Assert.Equal($"host {r.Moves[0].ToHostName} (1 at a time)", r.Moves[1].WaitsFor);
        Assert.Equal(Now, r.Window.FirstStart);
        Assert.Equal(Now + Estimate * 3, r.Window.LastEnd);
        Assert.Equal(1, r.Window.MaxConcurrent);
        Assert.Equal(0, r.Window.Occurrences);
        Assert.Contains("3 moves, one at a time", r.Window.Explanation);
        Assert.Contains($"host {r.Moves[0].ToHostName} takes 1 at a time", r.Window.Explanation);
    }

    [Fact]
    public async Task Schedule_RunsTwoAtATime_WhenThePerHostLimitIsTwo()
    {
        var connectionId = await SeedPackClusterAsync();
        await SetLimitAsync("demo", "host", 2);

        var r = await ConsolidateAsync(connectionId);

        Assert.Equal(Now, r.Moves[0].PlannedStart);
        Assert.Equal(Now, r.Moves[1].PlannedStart);
        // The third takes the first slot to free.
        Assert.Equal(Now + Estimate, r.Moves[2].PlannedStart);
        Assert.Equal(Now + Estimate * 2, r.Window.LastEnd);
        Assert.Equal(2, r.Window.MaxConcurrent);
        Assert.Equal($"host {r.Moves[0].ToHostName} takes 2 at a time", r.Window.LimitedBy);
        Assert.Contains("3 moves, at most 2 at a time", r.Window.Explanation);
        Assert.Contains($"{StartPlanner.Format(Estimate * 2)} from {Now:u} to {Now + Estimate * 2:u}. No maintenance window covers these VMs", r.Window.Explanation);
    }

    [Fact]
    public async Task Schedule_CountsThePortalWideLimit_FromItsStoredRow()
    {
        var connectionId = await SeedPackClusterAsync();
        // Hosts take the default 8; the portal as a whole one at a time.
        await SetLimitAsync("portal", "global", 1);

        var r = await ConsolidateAsync(connectionId);

        Assert.Equal([Now, Now + Estimate, Now + Estimate * 2], r.Moves.Select(m => m.PlannedStart!.Value));
        Assert.Equal("the portal-wide limit (1 at a time)", r.Moves[2].WaitsFor);
    }

    [Fact]
    public async Task Schedule_MovesWhatNoLongerFits_ToTheWindowsNextOccurrence()
    {
        var connectionId = await SeedPackClusterAsync();
        await SetLimitAsync("demo", "host", 1);
        // Five minutes at 22:00 UTC each day: two moves of 146 s fit (292 s), a third would end after the window closes.
        await Portal.AddConnectionWindowAsync("short-night", RecurrenceKind.RRule, "FREQ=DAILY", "UTC", new DateTime(2026, 3, 1, 22, 0, 0), 5);
        var opens = new DateTimeOffset(2026, 3, 2, 22, 0, 0, TimeSpan.Zero);

        var r = await ConsolidateAsync(connectionId);

        Assert.Equal(opens, r.Moves[0].PlannedStart);
        Assert.Equal(opens + Estimate, r.Moves[1].PlannedStart);
        Assert.Equal(opens.AddDays(1), r.Moves[2].PlannedStart);
        Assert.All(r.Moves, m => Assert.Equal("short-night", m.WindowName));
        Assert.Equal(opens.AddMinutes(5), r.Moves[0].WindowCloses);
        Assert.Equal(opens.AddDays(1).AddMinutes(5), r.Moves[2].WindowCloses);
        Assert.All(r.Moves, m => Assert.True(m.PlannedEnd <= m.WindowCloses, $"{m.VmName} ends {m.PlannedEnd:u}, after its window closes"));
        Assert.Equal(opens, r.Window.FirstStart);
        Assert.Equal(opens.AddDays(1) + Estimate, r.Window.LastEnd);
        Assert.Equal(2, r.Window.Occurrences);
        Assert.Equal(["short-night"], r.Window.WindowNames);
        Assert.Contains("over 2 window occurrences ('short-night')", r.Window.Explanation);
    }

    [Fact]
    public async Task Schedule_KeepsAllInOneOccurrence_WhenTheWindowHoldsThem()
    {
        var connectionId = await SeedPackClusterAsync();
        await SetLimitAsync("demo", "host", 1);
        await Portal.AddConnectionWindowAsync("night", RecurrenceKind.RRule, "FREQ=DAILY", "UTC", new DateTime(2026, 3, 1, 22, 0, 0), 60);
        var opens = new DateTimeOffset(2026, 3, 2, 22, 0, 0, TimeSpan.Zero);

        var r = await ConsolidateAsync(connectionId);

        Assert.Equal([opens, opens + Estimate, opens + Estimate * 2], r.Moves.Select(m => m.PlannedStart!.Value));
        Assert.Equal(1, r.Window.Occurrences);
        Assert.Equal($"3 moves, one at a time (host {r.Moves[0].ToHostName} takes 1 at a time): {StartPlanner.Format(Estimate * 3)} inside 'night', from {opens:u} to {opens + Estimate * 3:u}.",
            r.Window.Explanation);
    }

    [Fact]
    public async Task Schedule_StartsAMoveThatWouldRunIntoABlackout_WhenTheBlackoutEnds()
    {
        var connectionId = await SeedPackClusterAsync();
        await SetLimitAsync("demo", "host", 2);
        // A global change freeze from 10:04 to 10:14: the two first moves end at 10:02:26, the third (free to start then)
        // would run into it, so it starts when it ends.
        await Portal.Scoped<SaveBlackout, CalendarPeriodView>(u => u.HandleAsync(PortalHarness.Operator, null,
            new CalendarPeriodInput("freeze", RecurrenceKind.OneOff, null, "UTC", new DateTime(2026, 3, 2, 10, 4, 0), 10)));

        var r = await ConsolidateAsync(connectionId);

        Assert.Equal([Now, Now, Now.AddMinutes(14)], r.Moves.Select(m => m.PlannedStart!.Value));
        Assert.Equal(Now.AddMinutes(14) + Estimate, r.Window.LastEnd);
    }

    [Fact]
    public async Task Schedule_CountsSlotsHeldByMigrationsRunningNow()
    {
        var connectionId = await SeedPackClusterAsync();
        await SetLimitAsync("portal", "global", 1);
        // A migration elsewhere, dispatched now, holds the one portal-wide slot until its estimated end.
        await Portal.AutoApproveEverythingAsync();
        var (vm, target) = await Portal.RequesterVmAsync();
        var running = await Portal.SubmitAsync(vm, target, ScheduleMode.AsSoonAsApproved);
        Assert.Equal(1, await Portal.Scoped<DispatchDueRequests, int>(d => d.HandleAsync()));
        var held = await Portal.RequestAsync(running.Id);
        Assert.Equal(RequestState.Scheduled, held.State);
        var frees = Now + TimeSpan.FromSeconds(Math.Max(60, held.EstimatedSeconds!.Value));

        var r = await ConsolidateAsync(connectionId);

        Assert.Equal(frees, r.Moves[0].PlannedStart);
        Assert.Equal("the portal-wide limit (1 at a time)", r.Moves[0].WaitsFor);
    }
}

public sealed class SqliteRecommendationScheduleTests() : RecommendationScheduleTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlRecommendationScheduleTests() : RecommendationScheduleTests(DatabaseProvider.PostgreSql);
